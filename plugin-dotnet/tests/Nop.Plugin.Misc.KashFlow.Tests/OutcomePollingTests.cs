using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>The poller acknowledges an outcome only after applying it, and drops a poison one after 5 tries.</summary>
public class OutcomePollingTests
{
    /// <summary>Redelivers every unacknowledged outcome, as the engine's journal does.</summary>
    private sealed class JournalLikeChannel(params EngineOutcome[] outcomes) : IOutcomeChannel
    {
        private readonly List<EngineOutcome> _pending = outcomes.ToList();
        public List<long> Acked { get; } = new();

        public IReadOnlyList<EngineOutcome> Poll(int max) => _pending.Take(max).ToList();

        public void Ack(IReadOnlyCollection<long> ids)
        {
            Acked.AddRange(ids);
            _pending.RemoveAll(o => ids.Contains(o.Id));
        }
    }

    [Fact]
    public async Task Outcomes_are_acknowledged_after_they_are_applied()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 200);
        var channel = new JournalLikeChannel(
            new EngineOutcome(1, "SetOrderStatus", 200, "Processing", null, null, null, null),
            new EngineOutcome(2, "AddOrderNote", 200, null, "KashFlow invoice 100200 created (customer NOP000045)", 100200, null, null));

        Assert.Equal(2, await store.Poller.ApplyBatchAsync(channel, store.Logger));
        Assert.Equal([1L, 2L], channel.Acked);
        Assert.Equal(OrderStatus.Processing, store.Orders.Orders[200].OrderStatus);
        Assert.Single(store.Orders.Notes);
        Assert.Equal(0, await store.Poller.ApplyBatchAsync(channel, store.Logger));
    }

    [Fact]
    public async Task An_outcome_that_cannot_be_applied_now_stays_and_a_poison_one_is_dropped_after_five_tries()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 201);
        store.Orders.FailOnGet = id => id == 201 ? new TimeoutException("database timeout") : null;
        var channel = new JournalLikeChannel(new EngineOutcome(3, "SetOrderStatus", 201, "Processing", null, null, null, null));

        for (var attempt = 1; attempt < KashFlowDefaults.MaxOutcomeApplyAttempts; attempt++)
        {
            await store.Poller.ApplyBatchAsync(channel, store.Logger);
            Assert.Empty(channel.Acked); // not applied, not acknowledged: it comes back
        }
        await store.Poller.ApplyBatchAsync(channel, store.Logger);
        Assert.Equal([3L], channel.Acked);
        Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("outcome 3") && e.Message.Contains("dropped"));
        Assert.Equal(OrderStatus.Pending, store.Orders.Orders[201].OrderStatus);
    }

    [Fact]
    public async Task After_a_transient_failure_the_outcome_is_applied_on_a_later_poll()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 202);
        var failures = 2;
        store.Orders.FailOnGet = id => id == 202 && failures-- > 0 ? new TimeoutException("database timeout") : null;
        var channel = new JournalLikeChannel(new EngineOutcome(4, "SetOrderStatus", 202, "Processing", null, null, null, null));

        for (var i = 0; i < 3; i++)
            await store.Poller.ApplyBatchAsync(channel, store.Logger);
        Assert.Equal([4L], channel.Acked);
        Assert.Equal(OrderStatus.Processing, store.Orders.Orders[202].OrderStatus);
        Assert.Equal(2, store.Logger.Entries.Count(e => e.Level == "Warning" && e.Message.Contains("retrying")));
    }
}
