// KashFlowEngineHost, its lifecycle: starts the engine from the settings (inside a DI scope; with a
// back-off after a failed start), reconfigures it or starts it afresh when the admin saves, stops it, and
// records when the plugin was switched off and on (the hand-off marker's floor follows that).
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Logging;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    public async Task<bool> EnsureStartedAsync(bool ignoreBackoff = false, CancellationToken cancellationToken = default)
    {
        if (_engine is not null)
            return true;
        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_engine is not null)
                return true;
            if (!ignoreBackoff && UtcNow < _nextStartAttemptUtc)
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
            _webFarm = settings.WebFarm;
            if (settings.WebFarm && !_farmHolder)
            {
                // a web farm's other nodes only hand documents over (the active node runs the engine)
                _lastStartError = null;
                return false;
            }
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
            _webFarm = settings.WebFarm;
            if (settings.WebFarm && !_farmHolder)
            {
                StopLocked();
                _lastStartError = null;
                return;
            }
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
            _nextStartAttemptUtc = UtcNow + KashFlowDefaults.EngineRetryDelay;
            await logger.ErrorAsync($"KashFlow: the sync engine did not start ({ex.GetType().Name}): {_lastStartError}. Orders are kept in the spool until it runs.");
            return false;
        }
        await logger.InformationAsync($"KashFlow: sync engine started in {settings.Mode} mode (native {SafeNativeVersion()}).");
        await DrainSpoolInScopeAsync(services, CancellationToken.None);
        return true;
    }

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
        Interlocked.Exchange(ref _enabledSinceTicks, UtcNow.Ticks);
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
        ReleaseFarmLeaseOnStop();
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
}
