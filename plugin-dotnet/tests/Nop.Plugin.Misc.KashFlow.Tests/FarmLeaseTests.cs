using System.Linq.Expressions;
using Microsoft.Extensions.Time.Testing;
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The web farm's active-node lease over IRepository&lt;T&gt;. The repository here is in memory, each call
/// atomic and the Name unique as the migration's index makes it: not yet a real database (SQLite through
/// linq2db is what the next step adds).
/// </summary>
public class FarmLeaseTests
{
    private sealed class LeaseTable : IRepository<KashFlowFarmLease>
    {
        private readonly object _gate = new();
        private readonly List<KashFlowFarmLease> _rows = [];
        private int _nextId;

        private static KashFlowFarmLease Copy(KashFlowFarmLease l) => new() { Id = l.Id, Name = l.Name, Holder = l.Holder, AcquiredOnUtc = l.AcquiredOnUtc, ExpiresOnUtc = l.ExpiresOnUtc };

        public IQueryable<KashFlowFarmLease> Table
        {
            get
            {
                lock (_gate)
                    return _rows.Select(Copy).ToList().AsQueryable();
            }
        }

        public Task InsertAsync(KashFlowFarmLease entity, bool publishEvent = true)
        {
            lock (_gate)
            {
                if (_rows.Any(r => r.Name == entity.Name))
                    throw new InvalidOperationException("unique index IX_KashFlowFarmLease_Name");
                entity.Id = ++_nextId;
                _rows.Add(Copy(entity));
            }
            return Task.CompletedTask;
        }

        public Task UpdateAsync(KashFlowFarmLease entity, bool publishEvent = true)
        {
            lock (_gate)
            {
                var i = _rows.FindIndex(r => r.Id == entity.Id);
                if (i >= 0)
                    _rows[i] = Copy(entity); // by primary key: a deleted row updates nothing
            }
            return Task.CompletedTask;
        }

        public Task<int> DeleteAsync(Expression<Func<KashFlowFarmLease, bool>> predicate)
        {
            var match = predicate.Compile();
            lock (_gate)
                return Task.FromResult(_rows.RemoveAll(r => match(r)));
        }
    }

    [Fact]
    public async Task One_node_holds_the_lease_and_another_takes_it_only_when_it_expires_or_is_released()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        var table = new LeaseTable();
        var a = new FarmLease(table, "node-a", clock);
        var b = new FarmLease(table, "node-b", clock);

        Assert.True(await a.TryHoldAsync());
        Assert.False(await b.TryHoldAsync());
        clock.Advance(FarmLease.Expiry / 3);
        Assert.True(await a.TryHoldAsync()); // renewed
        clock.Advance(FarmLease.Expiry - TimeSpan.FromSeconds(1));
        Assert.False(await b.TryHoldAsync()); // renewed lease not expired yet

        // node A dies: B takes over once the lease expires, and A (paused, not dead) finds it lost
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await b.TryHoldAsync());
        Assert.False(await a.TryHoldAsync());
        Assert.Single(table.Table);

        // a clean stop hands over at once
        await b.ReleaseAsync();
        Assert.True(await a.TryHoldAsync());
    }

    [Fact]
    public async Task Nodes_racing_for_a_free_lease_end_with_exactly_one_holder()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        var table = new LeaseTable();
        var nodes = Enumerable.Range(0, 8).Select(i => new FarmLease(table, $"node-{i}", clock)).ToList();
        var held = await Task.WhenAll(nodes.Select(n => Task.Run(n.TryHoldAsync)));
        Assert.Equal(1, held.Count(h => h));
        Assert.Equal(nodes[Array.IndexOf(held, true)].Node, table.Table.Single().Holder);
    }
}
