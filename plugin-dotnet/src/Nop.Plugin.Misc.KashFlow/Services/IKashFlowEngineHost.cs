// The engine host's contract: what the rest of the plugin may ask of the one KashFlowEngine per
// application (IKashFlowEngineHost), and what a submission became (SubmitState, SubmitResult). The host
// itself is KashFlowEngineHost (its partial files, one job each).
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public enum SubmitState
{
    /// <summary>The engine journalled it (its receipt may still say Failed for a malformed document).</summary>
    Enqueued,

    /// <summary>Kept in the fallback spool; handed to the engine when it runs.</summary>
    Spooled,

    /// <summary>In the checkout hand-off's memory; its writer journals it (or spools it) shortly.</summary>
    HandedOff,

    /// <summary>Web farm: a row in the store database's hand-off table; the active node journals it.</summary>
    InStoreDatabase
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

    /// <summary>
    /// Web farm ("Web farm" on): takes or renews the active-node lease, and on the active node journals the
    /// store database's hand-off rows, marks them synced and runs the farm-wide catch-up. Off: nothing.
    /// The poller calls it before each pass. Never throws for a database fault (logged; next tick retries).
    /// </summary>
    Task FarmTickAsync(CancellationToken cancellationToken = default);

    /// <summary>Web farm: the active node and since when (null when the farm setting is off).</summary>
    Task<FarmNodeStatus?> FarmStatusAsync();
}
