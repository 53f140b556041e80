// One KashFlowEngine per application. The host starts it from the settings (inside a DI scope, since
// nopCommerce's settings and encryption services are scoped), reconfigures or stops it when the settings
// change, and is the single door through which documents reach the engine: if the engine is not running
// (or refuses a document because its journal failed) the document goes to the fallback spool, and the
// spool is handed over, oldest first, before anything newer once the engine runs again.
// No call here waits on the network: enqueue is a local journal commit. Checkout does not even wait for
// that: its documents take the in-memory CheckoutHandOff, whose writer journals them; after an unclean
// exit, OrderCatchUp rebuilds from the store database what the hand-off may have lost.
//
// This file: the host's state, its construction (which must never throw: see the constructor), what it
// reports about the data folder, and Dispose. The other jobs are in KashFlowEngineHost.*.cs:
// Lifecycle (start, reconfigure, stop), HandOff (checkout's in-memory path and its marker), Submit (the
// durable path: engine or spool), Spool (handing the spool to the engine), CatchUp (after an unclean
// exit), EngineLog (the engine's log lines, queued for nopCommerce's log), Farm (the web farm: the store
// database's hand-off table and the active-node lease).
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost : IKashFlowEngineHost
{
    private const int MaxQueuedLogEntries = 1000;

    private readonly ConcurrentQueue<EngineLogEntry> _logEntries = new();
    private readonly CheckoutHandOff _handOff;
    private readonly HandOffMarker _marker;
    private readonly KashFlowEnginePaths _paths;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly TimeProvider _time;
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
    private long _enabledSinceTicks;
    private volatile bool _disabled;
    private readonly string? _dataFolderError;
    private int _dataFolderErrorLogged;

    // Created when nopCommerce starts (the hosted poller needs it): nothing here may throw, whatever
    // the data folder is like (on IIS the app-pool identity may be unable to read App_Data/KashFlow).
    public KashFlowEngineHost(IServiceScopeFactory scopeFactory, KashFlowEnginePaths paths, TimeProvider? time = null)
    {
        _scopeFactory = scopeFactory;
        _paths = paths;
        _time = time ?? TimeProvider.System;
        _enabledSinceTicks = UtcNow.Ticks;
        Spool = new SnapshotSpool(paths.SpoolDirectory, _time);
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

    private DateTime UtcNow => _time.GetUtcNow().UtcDateTime;

    public string? DataFolderError => _dataFolderError;

    public DateTime? CatchUpFromUtc => _catchUpFromUtc;

    public KashFlowEngine? Engine => _engine;

    public string? LastStartError => _lastStartError;

    public SnapshotSpool Spool { get; }

    /// <summary>This host's own hand-off marker file (one per process: see HandOffMarker).</summary>
    internal string HandOffMarkerPath => _marker.Path;

    public void Dispose()
    {
        // a clean stop: everything handed off reaches the journal (or the spool) before the engine stops
        var drained = _handOff.Stop(KashFlowDefaults.HandOffDrainTimeout);
        StopLocked();
        ReleaseFarmLeaseOnStop();
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
        // from now on a marker left behind is an orphan a sibling (or the next start) adopts
        _marker.Retire();
        _startLock.Dispose();
    }
}
