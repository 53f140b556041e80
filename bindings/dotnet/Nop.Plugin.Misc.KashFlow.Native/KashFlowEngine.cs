// KashFlowEngine: the one type the nopCommerce plugin codes against. Wraps an engine handle of
// kashflow_sync_native in a SafeHandle; every call takes a reference on it, so Dispose during a
// call waits for the call instead of freeing the engine under it, and a call after Dispose is an
// ObjectDisposedException rather than a stale handle.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>The KashFlow Sync engine, running inside this process through the native library.</summary>
public sealed unsafe class KashFlowEngine : IDisposable
{
    private readonly EngineHandle _handle;
    private volatile bool _disposed;

    private KashFlowEngine(EngineHandle handle) => _handle = handle;

    /// <summary>Version of the loaded native library, e.g. <c>0.1.0</c>.</summary>
    /// <exception cref="KashFlowNativeException">The library is missing or does not match.</exception>
    public static string NativeVersion
    {
        get
        {
            Interop.EnsureLibrary();
            KfsBuffer buffer = default;
            int status = NativeMethods.kfs_version(&buffer);
            return Interop.Finish(status, ref buffer, NativeJson.Default.VersionDocument).Version;
        }
    }

    /// <summary>
    /// Starts an engine from a configuration document (PascalCase JSON: JournalPath, KashFlow, Rules,
    /// Steps, Retry, Workers). <paramref name="onLog"/> receives the engine's log lines on library
    /// threads until <see cref="Dispose"/> returns; exceptions it throws are swallowed.
    /// </summary>
    /// <exception cref="KashFlowNativeException">Invalid configuration (Code InvalidConfig, with Path), journal failure, missing library.</exception>
    public static KashFlowEngine Create(string configJson, Action<EngineLogEntry>? onLog = null)
    {
        Interop.EnsureLibrary();
        byte[] config = Interop.Utf8(configJson, nameof(configJson));
        var handle = new EngineHandle();
        GCHandle logState = onLog is null ? default : GCHandle.Alloc(new LogState(onLog));
        try
        {
            KfsEngine* engine = null;
            KfsBuffer buffer = default;
            int status;
            fixed (byte* p = config)
            {
                status = NativeMethods.kfs_engine_create(
                    p, (nuint)config.Length,
                    onLog is null ? null : &OnLog,
                    onLog is null ? null : (void*)GCHandle.ToIntPtr(logState),
                    &engine, &buffer);
            }
            Interop.Check(status, ref buffer);
            handle.Attach((IntPtr)engine, logState);
            return new KashFlowEngine(handle);
        }
        catch
        {
            // The library closed the log gate before failing: no callback can still use the state.
            if (logState.IsAllocated) logState.Free();
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Enqueues an order snapshot (durable when this returns; no network).</summary>
    public EnqueueReceipt EnqueueOrder(string snapshotJson)
    {
        byte[] doc = Interop.Utf8(snapshotJson, nameof(snapshotJson));
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (byte* p = doc) status = NativeMethods.kfs_engine_enqueue_order(engine, p, (nuint)doc.Length, &buffer);
        }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer, NativeJson.Default.EnqueueReceipt);
    }

    /// <summary>Enqueues an order event: OrderPaid, OrderCancelled or OrderRefunded.</summary>
    public EnqueueReceipt EnqueueEvent(string eventJson)
    {
        byte[] doc = Interop.Utf8(eventJson, nameof(eventJson));
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (byte* p = doc) status = NativeMethods.kfs_engine_enqueue_event(engine, p, (nuint)doc.Length, &buffer);
        }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer, NativeJson.Default.EnqueueReceipt);
    }

    /// <summary>Up to <paramref name="max"/> outcomes to apply, oldest first; returned again until acknowledged.</summary>
    public IReadOnlyList<EngineOutcome> PollOutcomes(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_poll_outcomes(engine, (uint)max, &buffer); }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer, NativeJson.Default.EngineOutcomeArray);
    }

    /// <summary>Acknowledges applied outcomes by id.</summary>
    public void AckOutcomes(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        long[] array = ids as long[] ?? ids.ToArray();
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (long* p = array) status = NativeMethods.kfs_engine_ack_outcomes(engine, p, (nuint)array.Length, &buffer);
        }
        finally { Exit(); }
        Interop.Check(status, ref buffer);
    }

    /// <summary>Record counts per state (StatusCounts document).</summary>
    public string StatusCountsJson()
    {
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_status_counts(engine, &buffer); }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>One page of the sync log (RecordPage) for a RecordQuery document (<c>{}</c>: first page).</summary>
    public string ListRecordsJson(string queryJson)
    {
        byte[] doc = Interop.Utf8(queryJson, nameof(queryJson));
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (byte* p = doc) status = NativeMethods.kfs_engine_list_records(engine, p, (nuint)doc.Length, &buffer);
        }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>One record's detail (RecordDetail). Code NotFound for an unknown id.</summary>
    public string RecordDetailJson(long recordId)
    {
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_record_detail(engine, recordId, &buffer); }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>Schedules one failed record for another attempt now.</summary>
    public void Retry(long recordId)
    {
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_retry_record(engine, recordId, &buffer); }
        finally { Exit(); }
        Interop.Check(status, ref buffer);
    }

    /// <summary>Schedules every failed record for another attempt; returns how many.</summary>
    public int RetryAllFailed()
    {
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_retry_all_failed(engine, &buffer); }
        finally { Exit(); }
        return checked((int)Interop.Finish(status, ref buffer, NativeJson.Default.CountDocument).Count);
    }

    /// <summary>What the engine would send to KashFlow for a snapshot, without enqueueing it (Preview).</summary>
    public string PreviewJson(string snapshotJson)
    {
        byte[] doc = Interop.Utf8(snapshotJson, nameof(snapshotJson));
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (byte* p = doc) status = NativeMethods.kfs_engine_preview(engine, p, (nuint)doc.Length, &buffer);
        }
        finally { Exit(); }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>
    /// Validates a configuration document without starting an engine:
    /// <c>{"Valid":bool,"Errors":[{"Code","Message","Path"}],"Config":{...secrets redacted}|null}</c>.
    /// </summary>
    public static string ValidateConfigJson(string configJson)
    {
        Interop.EnsureLibrary();
        byte[] doc = Interop.Utf8(configJson, nameof(configJson));
        KfsBuffer buffer = default;
        int status;
        fixed (byte* p = doc) status = NativeMethods.kfs_validate_config(p, (nuint)doc.Length, &buffer);
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>
    /// Mapping suggestions (pure, no engine): <c>{"Store":{...},"KashFlow":{...}}</c> in, the suggestions
    /// document (each with Confidence and Reason) out.
    /// </summary>
    public static string SuggestMappingsJson(string inputJson)
    {
        Interop.EnsureLibrary();
        byte[] doc = Interop.Utf8(inputJson, nameof(inputJson));
        KfsBuffer buffer = default;
        int status;
        fixed (byte* p = doc) status = NativeMethods.kfs_suggest_mappings(p, (nuint)doc.Length, &buffer);
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>
    /// Reads the KashFlow account's lookups (payment methods, bank accounts, nominal codes, VAT rates,
    /// currencies, products, with names) without blocking a thread: the catalogue document (the same
    /// document a working <see cref="TestConnectionAsync"/> carries as its <c>Catalogue</c>). The engine
    /// keeps it in its journal and queues again the orders that waited only for products now in it.
    /// Cancelling the token cancels the native operation.
    /// </summary>
    public Task<string> LookupsAsync(CancellationToken cancellationToken = default) =>
        StartOperation(cancellationToken, static (engine, callback, userData, id, buffer) =>
            NativeMethods.kfs_engine_lookups(engine, callback, userData, id, buffer));

    /// <summary>
    /// Creates products in KashFlow without blocking a thread, one after another under the engine's rate
    /// limit, each only if the account has no product with its code; then the engine reads the lookups
    /// again, so orders that waited only for these products are queued again by themselves.
    /// <paramref name="productsJson"/> is <c>{"Products":[{"Code","Name","NominalCode","Price","VatRate"}]}</c>;
    /// the result is <c>[{"Code","Result":"Created"|"AlreadyThere"|"Failed","Error"}]</c>, one per product.
    /// A document that does not read is refused at once (<see cref="KashFlowNativeException"/>, Code
    /// InvalidDocument, naming the field) and nothing is sent.
    /// </summary>
    public Task<string> CreateProductsAsync(string productsJson, CancellationToken cancellationToken = default)
    {
        byte[] doc = Interop.Utf8(productsJson, nameof(productsJson));
        return StartOperation(cancellationToken, (engine, callback, userData, id, buffer) =>
        {
            // the library reads the document before the export returns: pinned for the call only
            fixed (byte* p = doc)
                return NativeMethods.kfs_engine_create_products(engine, p, (nuint)doc.Length, callback, userData, id, buffer);
        });
    }

    /// <summary>
    /// Tests the KashFlow connection without blocking a thread; the result is the ConnectionReport
    /// document (when it works, with the account's lookups as <c>Catalogue</c>, kept by the engine as
    /// <see cref="LookupsAsync"/> keeps them). Cancelling the token cancels the native operation (the
    /// Task ends Canceled); disposing the engine meanwhile ends it with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public Task<string> TestConnectionAsync(CancellationToken cancellationToken = default) =>
        StartOperation(cancellationToken, static (engine, callback, userData, id, buffer) =>
            NativeMethods.kfs_engine_test_connection(engine, callback, userData, id, buffer));

    /// <summary>The starting export of one asynchronous engine call, its arguments but the engine's bound.</summary>
    private delegate int OperationStart(KfsEngine* engine, delegate* unmanaged[Cdecl]<void*, ulong, int, void> callback,
        void* userData, ulong* operationId, KfsBuffer* buffer);

    /// <summary>
    /// The one way an asynchronous engine call starts: a token already cancelled starts nothing; otherwise
    /// the export runs with the engine referenced (Dispose waits for it) and the operation becomes the Task.
    /// </summary>
    private Task<string> StartOperation(CancellationToken cancellationToken, OperationStart start)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string>(cancellationToken);
        }
        var operation = new NativeOperation(cancellationToken);
        KfsBuffer buffer = default;
        ulong id = 0;
        int status;
        KfsEngine* engine = Enter();
        try { status = start(engine, NativeOperation.Callback, operation.UserData, &id, &buffer); }
        finally { Exit(); }
        return operation.Started(status, ref buffer, id);
    }

    /// <summary>Applies a new configuration document to the running engine.</summary>
    public void Reconfigure(string configJson)
    {
        byte[] doc = Interop.Utf8(configJson, nameof(configJson));
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try
        {
            fixed (byte* p = doc) status = NativeMethods.kfs_engine_reconfigure(engine, p, (nuint)doc.Length, &buffer);
        }
        finally { Exit(); }
        Interop.Check(status, ref buffer);
    }

    /// <summary>Asks the engine to pull stock levels from KashFlow now (they arrive as SetStock outcomes).</summary>
    public void RequestStockPull()
    {
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_request_stock_pull(engine, &buffer); }
        finally { Exit(); }
        Interop.Check(status, ref buffer);
    }

    /// <summary>
    /// Stops accepting work and lets in-flight work finish for up to <paramref name="grace"/>
    /// (added to the contract: lets the host choose the grace; <see cref="Dispose"/> uses 5 s otherwise).
    /// </summary>
    public void Shutdown(TimeSpan grace)
    {
        uint ms = (uint)Math.Clamp(grace.TotalMilliseconds, 0, uint.MaxValue);
        KfsBuffer buffer = default;
        int status;
        KfsEngine* engine = Enter();
        try { status = NativeMethods.kfs_engine_shutdown(engine, ms, &buffer); }
        finally { Exit(); }
        Interop.Check(status, ref buffer);
    }

    /// <summary>
    /// Shuts the engine down and frees it: waits for calls in flight on other threads, cancels a
    /// pending <see cref="TestConnectionAsync"/> (it ends with <see cref="ObjectDisposedException"/>),
    /// and after it returns no log callback runs. Idempotent. Also runs from the finalizer if forgotten.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from inside the engine's own log callback.</exception>
    public void Dispose()
    {
        if (t_inLogCallback > 0)
        {
            // Freeing waits for in-flight log callbacks and for the engine's workers, one of which
            // may be the very thread running this callback: refuse rather than deadlock.
            throw new InvalidOperationException("A KashFlowEngine cannot be disposed from inside its own log callback.");
        }
        _disposed = true;
        _handle.Dispose();
        // SafeHandle defers the release while calls are in flight on other threads; wait for it, so
        // that when Dispose returns the engine is freed and no callback runs any more. (A thread
        // that is itself inside a call cannot wait for that call: its release happens on return.)
        if (t_callDepth == 0)
        {
            _handle.WaitReleased();
        }
    }

    [ThreadStatic] private static int t_callDepth;
    [ThreadStatic] private static int t_inLogCallback;

    /// <summary>The raw handle value (tests use it to prove a stale handle is refused natively).</summary>
    internal IntPtr DangerousHandleValue => _handle.DangerousGetHandle();

    private KfsEngine* Enter()
    {
        if (_disposed) throw Disposed();
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw Disposed();
        }
        t_callDepth++;
        return (KfsEngine*)_handle.DangerousGetHandle();
    }

    private void Exit()
    {
        t_callDepth--;
        _handle.DangerousRelease();
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(KashFlowEngine), "The KashFlow engine has been disposed.");

    private static string LevelName(int level) => level switch
    {
        NativeMethods.KFS_LOG_ERROR => "Error",
        NativeMethods.KFS_LOG_WARN => "Warn",
        NativeMethods.KFS_LOG_INFO => "Info",
        NativeMethods.KFS_LOG_DEBUG => "Debug",
        NativeMethods.KFS_LOG_TRACE => "Trace",
        _ => $"Level{level}",
    };

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnLog(void* userData, int level, byte* target, nuint targetLen, byte* message, nuint messageLen)
    {
        // Nothing may escape into native code: catch everything.
        try
        {
            if (GCHandle.FromIntPtr((IntPtr)userData).Target is LogState state)
            {
                t_inLogCallback++;
                state.Deliver(new EngineLogEntry(
                    LevelName(level),
                    Encoding.UTF8.GetString(target, checked((int)targetLen)),
                    Encoding.UTF8.GetString(message, checked((int)messageLen))));
            }
        }
        catch
        {
        }
        finally
        {
            if (t_inLogCallback > 0) t_inLogCallback--;
        }
    }

    /// <summary>The host's log delegate, pinned by a GCHandle for as long as the engine lives.</summary>
    internal sealed class LogState(Action<EngineLogEntry> onLog)
    {
        private int _handlerFailures;

        /// <summary>How many times the host's handler threw (the exception is swallowed).</summary>
        public int HandlerFailures => Volatile.Read(ref _handlerFailures);

        public void Deliver(EngineLogEntry entry)
        {
            try
            {
                onLog(entry);
            }
            catch
            {
                Interlocked.Increment(ref _handlerFailures);
            }
        }
    }

    /// <summary>The engine handle; releasing it calls kfs_engine_free, then unpins the log state.</summary>
    private sealed class EngineHandle : SafeHandle
    {
        private readonly ManualResetEventSlim _released = new();
        private GCHandle _logState;

        public EngineHandle() : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        public void Attach(IntPtr engine, GCHandle logState)
        {
            _logState = logState;
            SetHandle(engine);
        }

        /// <summary>Blocks until <see cref="ReleaseHandle"/> has run.</summary>
        public void WaitReleased() => _released.Wait();

        protected override bool ReleaseHandle()
        {
            try
            {
                int status = NativeMethods.kfs_engine_free((KfsEngine*)handle, null);
                // kfs_engine_free has waited for in-flight log callbacks: nothing uses the state now.
                if (_logState.IsAllocated) _logState.Free();
                return status == NativeMethods.KFS_OK;
            }
            finally
            {
                _released.Set();
            }
        }
    }
}
