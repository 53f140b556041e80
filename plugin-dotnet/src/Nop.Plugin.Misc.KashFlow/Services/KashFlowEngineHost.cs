// One KashFlowEngine per application. The host starts it from the settings (inside a DI scope, since
// nopCommerce's settings and encryption services are scoped), reconfigures or stops it when the settings
// change, and is the single door through which documents reach the engine: if the engine is not running
// (or refuses a document because its journal failed) the document goes to the fallback spool, and the
// spool is handed over, oldest first, before anything newer once the engine runs again.
// No call here waits on the network: enqueue is a local journal commit. Checkout does not even wait for
// that: its documents take the in-memory CheckoutHandOff, whose writer journals them; after an unclean
// exit, OrderCatchUp rebuilds from the store database what the hand-off may have lost.
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Logging;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public enum SubmitState
{
    /// <summary>The engine journalled it (its receipt may still say Failed for a malformed document).</summary>
    Enqueued,

    /// <summary>Kept in the fallback spool; handed to the engine when it runs.</summary>
    Spooled,

    /// <summary>In the checkout hand-off's memory; its writer journals it (or spools it) shortly.</summary>
    HandedOff
}

public sealed record SubmitResult(SubmitState State, EnqueueReceipt? Receipt, string? Message)
{
    /// <summary>What the shop's log should say about this result, if anything (the one wording for every path).</summary>
    public (bool IsError, string Message)? Report(string what, int orderId) => this switch
    {
        { State: SubmitState.Spooled } => (false, $"KashFlow: the {what} of order {orderId} is spooled ({Message}); it is sent when the engine runs."),
        { Receipt.State: EngineNames.ReceiptFailed } => (true, $"KashFlow: the engine recorded the {what} of order {orderId} as failed: {Receipt.Message}"),
        _ => null,
    };
}

public interface IKashFlowEngineHost : IDisposable
{
    /// <summary>The running engine, or null. Never blocks.</summary>
    KashFlowEngine? Engine { get; }

    /// <summary>Why the last start failed (secrets redacted), or null.</summary>
    string? LastStartError { get; }

    /// <summary>
    /// Why the data folder (App_Data/KashFlow) could not be read when the host was created, or null.
    /// Reported on the Configure page; the host runs on without what it could not read.
    /// </summary>
    string? DataFolderError { get; }

    SnapshotSpool Spool { get; }

    /// <summary>Starts the engine if the plugin is enabled and it is not running. True when it runs.</summary>
    Task<bool> EnsureStartedAsync(bool ignoreBackoff = false, CancellationToken cancellationToken = default);

    /// <summary>Re-reads the settings: starts, reconfigures or stops the engine. Throws when the engine rejects them.</summary>
    Task ApplySettingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Journals a snapshot now (engine or spool): the durable path, for the admin and the hand-off's writer.</summary>
    SubmitResult SubmitOrder(int orderId, string snapshotJson);

    /// <summary>Journals an event document now (engine or spool).</summary>
    SubmitResult SubmitEvent(int orderId, string eventJson);

    /// <summary>Checkout's path for a snapshot: never waits for a disk flush (see CheckoutHandOff).</summary>
    SubmitResult HandOffOrder(int orderId, string snapshotJson);

    /// <summary>
    /// Checkout's path for OrderPaid/OrderCancelled: handed off when the catch-up could rebuild it (the order
    /// was created since the hand-off marker's floor), otherwise journalled now.
    /// </summary>
    SubmitResult HandOffEvent(int orderId, DateTime orderCreatedOnUtc, string eventJson);

    /// <summary>Waits until every handed-off document is journalled. False on timeout.</summary>
    bool WaitForHandOff(TimeSpan timeout);

    /// <summary>Set after an unclean exit until the catch-up has run: orders created since then are checked.</summary>
    DateTime? CatchUpFromUtc { get; }

    /// <summary>Records that the snapshot of <paramref name="orderId"/> must be built again later.</summary>
    void SpoolRebuild(int orderId);

    /// <summary>Hands every spooled document to the engine (rebuilding snapshots in a scope). Returns how many left the spool.</summary>
    Task<int> DrainSpoolAsync(CancellationToken cancellationToken = default);

    /// <summary>Engine log lines waiting to be written to nopCommerce's log.</summary>
    bool TryDequeueLog(out EngineLogEntry entry);

    void Stop();
}

public sealed class KashFlowEnginePaths
{
    public KashFlowEnginePaths(string dataDirectory)
    {
        DataDirectory = dataDirectory;
    }

    /// <summary>App_Data/KashFlow in a store.</summary>
    public string DataDirectory { get; }

    public string JournalPath => Path.Combine(DataDirectory, KashFlowDefaults.JournalFileName);

    public string SpoolDirectory => Path.Combine(DataDirectory, KashFlowDefaults.SpoolDirectoryName);

    public string HandOffMarkerPath => Path.Combine(DataDirectory, KashFlowDefaults.HandOffMarkerFileName);
}

public sealed class KashFlowEngineHost : IKashFlowEngineHost
{
    private const int MaxQueuedLogEntries = 1000;

    private readonly ConcurrentQueue<EngineLogEntry> _logEntries = new();
    private readonly CheckoutHandOff _handOff;
    private readonly HandOffMarker _marker;
    private readonly KashFlowEnginePaths _paths;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly object _submitLock = new();
    private volatile KashFlowEngine? _engine;
    private KashFlowCredentials _credentials = KashFlowCredentials.Empty;
    private DateTime _nextStartAttemptUtc = DateTime.MinValue;
    private volatile string? _lastStartError;
    private KashFlowMode _runningMode;
    private int _readyInSpool;
    private volatile bool _handOffLostSome;
    private int _catchUpRunning;
    private DateTime? _catchUpFromUtc;
    // The hand-off floor to use: the host's start, or when the plugin was last switched back on (orders
    // placed while it was off are not the catch-up's business).
    private long _enabledSinceTicks = DateTime.UtcNow.Ticks;
    private volatile bool _disabled;
    private readonly string? _dataFolderError;
    private int _dataFolderErrorLogged;

    // Created when nopCommerce starts (the hosted poller needs it): nothing here may throw, whatever
    // the data folder is like (on IIS the app-pool identity may be unable to read App_Data/KashFlow).
    public KashFlowEngineHost(IServiceScopeFactory scopeFactory, KashFlowEnginePaths paths)
    {
        _scopeFactory = scopeFactory;
        _paths = paths;
        Spool = new SnapshotSpool(paths.SpoolDirectory);
        try
        {
            _readyInSpool = Spool.List().Count(e => e.Kind != SpoolKind.Rebuild);
        }
        catch (Exception ex)
        {
            _dataFolderError = DescribeDataFolderFault(paths.SpoolDirectory, ex);
        }
        _marker = new HandOffMarker(paths.HandOffMarkerPath);
        if (_marker.ReadError is { } markerError)
            _dataFolderError ??= DescribeDataFolderFault(paths.HandOffMarkerPath, markerError);
        _catchUpFromUtc = _marker.PreviousFloorUtc;
        _handOff = new CheckoutHandOff(WriteHandedOff, OnHandOffWriteFailed, KashFlowDefaults.HandOffCapacity);
    }

    /// <summary>What the admin reads when the data folder cannot be used: the fault and what to do.</summary>
    internal static string DescribeDataFolderFault(string path, Exception ex)
    {
        var what = $"KashFlow cannot use its data folder ({path}): {ex.GetType().Name}: {ex.Message}";
        return ex is UnauthorizedAccessException or System.Security.SecurityException
            ? what + " Give the identity nopCommerce runs as (on IIS, the application pool identity, e.g. \"IIS AppPool\\<pool name>\") " +
                     "Modify permission on App_Data\\KashFlow, then restart the application. Until then orders are not synced; they stay in nopCommerce and can be sent with \"Resync\" later."
            : what + " Orders are not synced until the folder can be used; they stay in nopCommerce and can be sent with \"Resync\" later.";
    }

    public string? DataFolderError => _dataFolderError;

    public DateTime? CatchUpFromUtc => _catchUpFromUtc;

    public KashFlowEngine? Engine => _engine;

    public string? LastStartError => _lastStartError;

    public SnapshotSpool Spool { get; }

    public async Task<bool> EnsureStartedAsync(bool ignoreBackoff = false, CancellationToken cancellationToken = default)
    {
        if (_engine is not null)
            return true;
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_engine is not null)
                return true;
            if (!ignoreBackoff && DateTime.UtcNow < _nextStartAttemptUtc)
                return false;
            await using var scope = _scopeFactory.CreateAsyncScope();
            var settingsManager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();
            var settings = await settingsManager.LoadAsync();
            if (!settings.Enabled)
            {
                _lastStartError = null;
                OnDisabled();
                return false;
            }
            OnEnabled();
            return await StartLockedAsync(settings, settingsManager.GetCredentials(settings), scope.ServiceProvider);
        }
        finally
        {
            _startLock.Release();
        }
    }

    public async Task ApplySettingsAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            await using var scope = _scopeFactory.CreateAsyncScope();
            var settingsManager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();
            var settings = await settingsManager.LoadAsync();
            if (!settings.Enabled)
            {
                StopLocked();
                _lastStartError = null;
                OnDisabled();
                return;
            }
            OnEnabled();
            var credentials = settingsManager.GetCredentials(settings);
            var engine = _engine;
            if (engine is null)
            {
                if (!await StartLockedAsync(settings, credentials, scope.ServiceProvider))
                    throw new InvalidOperationException(_lastStartError ?? "The KashFlow engine did not start.");
                return;
            }
            if (settings.Mode != _runningMode)
            {
                // Sandbox ↔ Live: start afresh rather than switch a running engine's KashFlow under it
                StopLocked();
                if (!await StartLockedAsync(settings, credentials, scope.ServiceProvider))
                    throw new InvalidOperationException(_lastStartError ?? "The KashFlow engine did not start.");
                return;
            }
            engine.Reconfigure(EngineConfigBuilder.Build(settings, credentials, _paths.JournalPath));
            _credentials = credentials;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<bool> StartLockedAsync(KashFlowSettings settings, KashFlowCredentials credentials, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger>();
        try
        {
            if (_dataFolderError is not null && Interlocked.Exchange(ref _dataFolderErrorLogged, 1) == 0)
                await logger.ErrorAsync(_dataFolderError);
            Directory.CreateDirectory(_paths.DataDirectory);
            ProbeWritable(_paths.DataDirectory);
            var config = EngineConfigBuilder.Build(settings, credentials, _paths.JournalPath);
            _credentials = credentials;
            _engine = KashFlowEngine.Create(config, OnEngineLog);
            _runningMode = settings.Mode;
            _lastStartError = null;
            _nextStartAttemptUtc = DateTime.MinValue;
        }
        catch (Exception ex)
        {
            _lastStartError = ex is UnauthorizedAccessException or System.Security.SecurityException
                ? DescribeDataFolderFault(_paths.DataDirectory, ex)
                : ex.Message;
            _nextStartAttemptUtc = DateTime.UtcNow + KashFlowDefaults.EngineRetryDelay;
            await logger.ErrorAsync($"KashFlow: the sync engine did not start ({ex.GetType().Name}): {_lastStartError}. Orders are kept in the spool until it runs.");
            return false;
        }
        await logger.InformationAsync($"KashFlow: sync engine started in {settings.Mode} mode (native {SafeNativeVersion()}).");
        await DrainSpoolInScopeAsync(services, CancellationToken.None);
        return true;
    }

    // When the hand-off is full these journal at once without waiting for it: only one order's own
    // documents must keep their order, and the engine files a payment that arrives first as waiting.
    public SubmitResult HandOffOrder(int orderId, string snapshotJson)
    {
        // without its marker a lost hand-off could not be found again: journal it now instead
        if (OpenMarker() is null)
            return Submit(SpoolKind.Order, orderId, snapshotJson);
        return _handOff.TryAccept(new HandOffItem(SpoolKind.Order, orderId, snapshotJson))
            ? new SubmitResult(SubmitState.HandedOff, null, null)
            : Submit(SpoolKind.Order, orderId, snapshotJson);
    }

    public SubmitResult HandOffEvent(int orderId, DateTime orderCreatedOnUtc, string eventJson)
    {
        // An order created before the floor (before this process started, or before the crash the
        // floor remembers) is outside what the catch-up looks at: an admin action on an older order,
        // journalled now, after whatever the hand-off still holds.
        if (OpenMarker() is not { } floor || DateTime.SpecifyKind(orderCreatedOnUtc, DateTimeKind.Utc) < floor)
            return SubmitEvent(orderId, eventJson);
        return _handOff.TryAccept(new HandOffItem(SpoolKind.Event, orderId, eventJson))
            ? new SubmitResult(SubmitState.HandedOff, null, null)
            : Submit(SpoolKind.Event, orderId, eventJson);
    }

    public bool WaitForHandOff(TimeSpan timeout) => _handOff.WaitUntilWritten(timeout);

    /// <summary>Switched off: once the hand-off is drained nothing of this process needs catching up.</summary>
    private void OnDisabled()
    {
        _disabled = true;
        if (_marker.FloorUtc is null || _catchUpFromUtc is not null || _handOffLostSome)
            return;
        if (!_handOff.WaitUntilWritten(KashFlowDefaults.HandOffDrainTimeout))
            return;
        try
        {
            _marker.Close();
        }
        catch (IOException)
        {
            // left in place: a later catch-up looks at a few orders more than it needs to
        }
    }

    private void OnEnabled()
    {
        if (!_disabled)
            return;
        _disabled = false;
        Interlocked.Exchange(ref _enabledSinceTicks, DateTime.UtcNow.Ticks);
    }

    /// <summary>The hand-off floor, writing the marker on first use; null when it cannot be written.</summary>
    private DateTime? OpenMarker()
    {
        try
        {
            return _marker.Open(new DateTime(Interlocked.Read(ref _enabledSinceTicks), DateTimeKind.Utc));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void WriteHandedOff(HandOffItem item)
    {
        var what = item.Kind == SpoolKind.Order ? "order" : "event document";
        if (Submit(item.Kind, item.OrderId, item.Document).Report(what, item.OrderId) is (var isError, var message))
            Log(isError, message);
    }

    private void OnHandOffWriteFailed(HandOffItem item, Exception ex)
    {
        // not even the spool took it: keep the marker so the next start rebuilds it from the store
        _handOffLostSome = true;
        Log(true, $"KashFlow: order {item.OrderId} could not be recorded, not even in the spool ({ex.GetType().Name}: {ex.Message}); it is rebuilt from the store at the next start, or use \"Resync\" on the KashFlow sync log.");
    }

    // The writer is a plain thread: it logs through its own scope (nopCommerce's logger is scoped).
    private void Log(bool isError, string message)
    {
        try
        {
            using var scope = _scopeFactory.CreateScope();
            var logger = scope.ServiceProvider.GetRequiredService<ILogger>();
            (isError ? logger.ErrorAsync(message) : logger.WarningAsync(message)).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // the log is down too (database gone): the catch-up and the sync log still tell the story
        }
    }

    /// <summary>After an unclean exit: rebuilds from the store what the hand-off may have lost. Once per start.</summary>
    private async Task RunCatchUpAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (_catchUpFromUtc is not { } from || _engine is not { } engine || Interlocked.Exchange(ref _catchUpRunning, 1) == 1)
            return;
        var logger = services.GetRequiredService<ILogger>();
        try
        {
            var result = await OrderCatchUp.RunAsync(engine, services.GetRequiredService<IOrderService>(),
                services.GetRequiredService<IOrderSnapshotBuilder>(), from,
                (id, json) => SubmitOrder(id, json), (id, json) => SubmitEvent(id, json), cancellationToken,
                (id, ex) =>
                {
                    SpoolRebuild(id);
                    Log(false, $"KashFlow: the snapshot of order {id} could not be built for the catch-up ({ex.GetType().Name}: {ex.Message}); it is spooled to be built again.");
                });
            _catchUpFromUtc = null;
            await logger.InformationAsync($"KashFlow: the last stop was not clean; {result.OrdersSeen} order(s) created since {from - OrderCatchUp.Margin:u} were checked against the journal: {result.SnapshotsSubmitted} snapshot(s) and {result.EventsSubmitted} payment or cancellation document(s) journalled again.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await logger.WarningAsync($"KashFlow: the catch-up after an unclean stop did not finish ({ex.GetType().Name}: {ex.Message}); it runs again with the schedule task.");
        }
        finally
        {
            Interlocked.Exchange(ref _catchUpRunning, 0);
        }
    }

    // The durable paths wait for the hand-off first, so an order's documents reach the journal in the
    // order they were raised (a refund after the payment that checkout handed off, say).
    public SubmitResult SubmitOrder(int orderId, string snapshotJson)
    {
        _handOff.WaitUntilWritten(KashFlowDefaults.HandOffDrainTimeout);
        return Submit(SpoolKind.Order, orderId, snapshotJson);
    }

    public SubmitResult SubmitEvent(int orderId, string eventJson)
    {
        _handOff.WaitUntilWritten(KashFlowDefaults.HandOffDrainTimeout);
        return Submit(SpoolKind.Event, orderId, eventJson);
    }

    public void SpoolRebuild(int orderId)
    {
        lock (_submitLock)
            Spool.Write(SpoolKind.Rebuild, orderId, "{}");
    }

    private SubmitResult Submit(SpoolKind kind, int orderId, string document)
    {
        // fast path, no lock: concurrent checkouts reach the engine together, so its group commit can
        // share one fsync between them. Only one order's own documents must stay in order, and those
        // come one after another from the same request.
        if (_engine is { } running && Volatile.Read(ref _readyInSpool) == 0)
        {
            try
            {
                var receipt = kind == SpoolKind.Order ? running.EnqueueOrder(document) : running.EnqueueEvent(document);
                return new SubmitResult(SubmitState.Enqueued, receipt, receipt.Message);
            }
            catch (Exception)
            {
                // stopped meanwhile, or the journal refused: the locked path below spools it
            }
        }
        lock (_submitLock)
        {
            var engine = _engine;
            string reason;
            if (engine is null)
                reason = "the sync engine is not running";
            else if (_readyInSpool > 0 && !DrainReadyLocked(engine))
                reason = "older spooled documents could not be handed to the engine yet";
            else
            {
                try
                {
                    var receipt = kind == SpoolKind.Order ? engine.EnqueueOrder(document) : engine.EnqueueEvent(document);
                    return new SubmitResult(SubmitState.Enqueued, receipt, receipt.Message);
                }
                catch (Exception ex)
                {
                    reason = $"the engine refused it ({ex.GetType().Name}): {ex.Message}";
                }
            }
            Spool.Write(kind, orderId, document);
            Interlocked.Increment(ref _readyInSpool);
            return new SubmitResult(SubmitState.Spooled, null, reason);
        }
    }

    /// <summary>Hands over the ready (order/event) spool entries in order; stops at the first failure.</summary>
    private bool DrainReadyLocked(KashFlowEngine engine)
    {
        foreach (var entry in Spool.List())
        {
            if (entry.Kind == SpoolKind.Rebuild)
                continue;
            try
            {
                var document = entry.ReadDocument();
                if (entry.Kind == SpoolKind.Order)
                    engine.EnqueueOrder(document);
                else
                    engine.EnqueueEvent(document);
            }
            catch (Exception)
            {
                return false;
            }
            Spool.Remove(entry);
            _readyInSpool = Math.Max(0, _readyInSpool - 1);
        }
        _readyInSpool = 0;
        return true;
    }

    public async Task<int> DrainSpoolAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        return await DrainSpoolInScopeAsync(scope.ServiceProvider, cancellationToken);
    }

    private async Task<int> DrainSpoolInScopeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var engine = _engine;
        if (engine is null)
            return 0;
        var drained = await DrainSpoolEntriesAsync(engine, services, cancellationToken);
        await RunCatchUpAsync(services, cancellationToken);
        return drained;
    }

    private async Task<int> DrainSpoolEntriesAsync(KashFlowEngine engine, IServiceProvider services, CancellationToken cancellationToken)
    {
        var before = Spool.List().Count;
        if (before == 0)
            return 0;
        lock (_submitLock)
            DrainReadyLocked(engine);

        var rebuilds = Spool.List().Where(e => e.Kind == SpoolKind.Rebuild).ToList();
        if (rebuilds.Count > 0)
        {
            var orderService = services.GetRequiredService<IOrderService>();
            var builder = services.GetRequiredService<IOrderSnapshotBuilder>();
            var logger = services.GetRequiredService<ILogger>();
            foreach (var entry in rebuilds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var order = await orderService.GetOrderByIdAsync(entry.OrderId);
                    if (order is null)
                    {
                        await logger.WarningAsync($"KashFlow: spooled order {entry.OrderId} no longer exists; dropped from the spool.");
                        Spool.Remove(entry);
                        continue;
                    }
                    var json = await builder.BuildJsonAsync(order);
                    lock (_submitLock)
                        engine.EnqueueOrder(json);
                    Spool.Remove(entry);
                }
                catch (Exception ex)
                {
                    await logger.WarningAsync($"KashFlow: order {entry.OrderId} is still waiting in the spool: {ex.Message}");
                    break;
                }
            }
        }
        return before - Spool.List().Count;
    }

    private void OnEngineLog(EngineLogEntry entry)
    {
        if (_logEntries.Count >= MaxQueuedLogEntries)
            return;
        _logEntries.Enqueue(entry with { Message = entry.Message });
    }

    public bool TryDequeueLog(out EngineLogEntry entry)
    {
        if (_logEntries.TryDequeue(out var e))
        {
            entry = e;
            return true;
        }
        entry = null!;
        return false;
    }

    public void Stop()
    {
        // what checkout handed off goes to the engine, not the spool, when the engine is stopping anyway
        _handOff.WaitUntilWritten(KashFlowDefaults.HandOffDrainTimeout);
        _startLock.Wait();
        try
        {
            StopLocked();
        }
        finally
        {
            _startLock.Release();
        }
    }

    private void StopLocked()
    {
        var engine = _engine;
        _engine = null;
        engine?.Dispose();
    }

    // the journal needs the folder writable: say so plainly rather than with SQLite's "unable to open"
    private static void ProbeWritable(string directory)
    {
        using var probe = new FileStream(Path.Combine(directory, ".write-test"), FileMode.Create, FileAccess.Write,
            FileShare.None, 1, FileOptions.DeleteOnClose);
    }

    private static string SafeNativeVersion()
    {
        try
        {
            return KashFlowEngine.NativeVersion;
        }
        catch (Exception)
        {
            return "unknown";
        }
    }

    public void Dispose()
    {
        // a clean stop: everything handed off reaches the journal (or the spool) before the engine stops
        var drained = _handOff.Stop(KashFlowDefaults.HandOffDrainTimeout);
        StopLocked();
        if (drained && !_handOffLostSome)
        {
            try
            {
                _marker.Close();
            }
            catch (IOException)
            {
                // left in place: the next start checks a few orders more than it needed to
            }
        }
        _startLock.Dispose();
    }
}
