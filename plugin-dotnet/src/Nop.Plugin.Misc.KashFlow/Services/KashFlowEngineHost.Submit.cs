// KashFlowEngineHost, the durable path: a document is journalled by the engine when it runs and nothing
// older waits in the spool, otherwise written to the spool. Admin actions and the hand-off's writer
// come here; a local journal commit at most, never the network. In a web farm they go to the store
// database instead (KashFlowEngineHost.Farm.cs), whose active node journals them through Submit.

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    // The durable paths wait for the hand-off first, so an order's documents reach the journal in the
    // order they were raised (a refund after the payment that checkout handed off, say).
    public SubmitResult SubmitOrder(int orderId, string snapshotJson)
    {
        if (_webFarm)
            return FarmSubmit(SpoolKind.Order, orderId, snapshotJson);
        _handOff.WaitUntilWritten(KashFlowDefaults.HandOffDrainTimeout);
        return Submit(SpoolKind.Order, orderId, snapshotJson);
    }

    public SubmitResult SubmitEvent(int orderId, string eventJson)
    {
        if (_webFarm)
            return FarmSubmit(SpoolKind.Event, orderId, eventJson);
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
}
