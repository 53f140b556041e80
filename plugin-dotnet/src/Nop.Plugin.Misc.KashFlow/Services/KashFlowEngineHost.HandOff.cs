// KashFlowEngineHost, checkout's path: documents go into the in-memory CheckoutHandOff (never waiting on
// the disk) while the hand-off marker records the floor a catch-up would start from; the hand-off's
// writer thread journals them through Submit and logs what it could not.
using Microsoft.Extensions.DependencyInjection;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    // When the hand-off is full these journal at once without waiting for it: only one order's own
    // documents must keep their order, and the engine files a payment that arrives first as waiting.
    public SubmitResult HandOffOrder(int orderId, string snapshotJson)
    {
        if (_webFarm)
            return FarmSubmit(SpoolKind.Order, orderId, snapshotJson);
        // without its marker a lost hand-off could not be found again: journal it now instead
        if (OpenMarker() is null)
            return Submit(SpoolKind.Order, orderId, snapshotJson);
        return _handOff.TryAccept(new HandOffItem(SpoolKind.Order, orderId, snapshotJson))
            ? new SubmitResult(SubmitState.HandedOff, null, null)
            : Submit(SpoolKind.Order, orderId, snapshotJson);
    }

    public SubmitResult HandOffEvent(int orderId, DateTime orderCreatedOnUtc, string eventJson)
    {
        if (_webFarm)
            return FarmSubmit(SpoolKind.Event, orderId, eventJson);
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
}
