using Microsoft.Extensions.Time.Testing;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The web farm's tables on a real SQLite store database: created by the plugin's migration through
/// FluentMigrator's real runner (the plugin compiled against the 7.1.0.0 facade, bound here to 8.0.1), used
/// through IRepository&lt;T&gt; over linq2db, and the lease raced for by real connections.
/// </summary>
public class FarmDatabaseTests
{
    [Fact]
    public void The_migration_creates_both_tables_with_the_unique_lease_index_runs_twice_harmlessly_and_reverses()
    {
        using var db = new FarmDatabase();
        db.Migrate();
        Assert.Equal(1L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='KashFlowFarmDocument'"));
        Assert.Equal(1L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='KashFlowFarmLease'"));
        var index = (string)db.Scalar("SELECT sql FROM sqlite_master WHERE type='index' AND name='IX_KashFlowFarmLease_Name'")!;
        Assert.Contains("UNIQUE", index, StringComparison.OrdinalIgnoreCase);
        // the plugin's FluentMigrator reference is the facade's 7.1.0.0; here the real 8.0.1 ran it
        var reference = typeof(Nop.Plugin.Misc.KashFlow.Data.FarmSchemaMigration).Assembly.GetReferencedAssemblies().Single(a => a.Name == "FluentMigrator");
        Assert.Equal(new Version(7, 1, 0, 0), reference.Version);
        Assert.Equal(new Version(8, 0, 1, 0), typeof(FluentMigrator.Migration).Assembly.GetName().Version);
        Assert.Equal(reference.GetPublicKeyToken(), typeof(FluentMigrator.Migration).Assembly.GetName().GetPublicKeyToken());

        // an update that finds the table already there (created by hand, or half an earlier attempt) goes on
        db.Scalar("DELETE FROM VersionInfo");
        db.Migrate();

        db.Migrate(down: true);
        Assert.Equal(0L, db.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name LIKE 'KashFlowFarm%'"));
    }

    [Fact]
    public async Task Documents_round_trip_through_the_repository_with_their_identity()
    {
        using var db = new FarmDatabase();
        db.Migrate();
        var repository = db.Repository<KashFlowFarmDocument>();
        var created = new DateTime(2026, 7, 1, 9, 0, 0, 123, DateTimeKind.Utc);
        var first = new KashFlowFarmDocument { OrderId = 7, Kind = "Order", Document = "{\"a\":1}", CreatedOnUtc = created, Node = "node-a" };
        var second = new KashFlowFarmDocument { OrderId = 8, Kind = "Event", Document = "{}", CreatedOnUtc = created, Node = "node-b" };
        await repository.InsertAsync(first);
        await repository.InsertAsync(second);
        Assert.True(second.Id > first.Id && first.Id > 0);
        first.JournaledBy = "node-a";
        await repository.UpdateAsync(first);
        var read = repository.Table.Single(d => d.Id == first.Id);
        Assert.Equal(("Order", "{\"a\":1}", "node-a", created), (read.Kind, read.Document, read.JournaledBy, read.CreatedOnUtc));
        Assert.Equal([second.Id], repository.Table.Where(d => d.JournaledBy == null).Select(d => d.Id).ToList());
    }

    [Fact]
    public async Task Nodes_racing_for_the_lease_on_a_real_database_end_with_exactly_one_holder_and_expiry_hands_it_over()
    {
        using var db = new FarmDatabase();
        db.Migrate();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        for (var round = 0; round < 5; round++)
        {
            // every node its own repository (its own connections), all at once
            var nodes = Enumerable.Range(0, 6).Select(i => new FarmLease(db.Repository<KashFlowFarmLease>(), $"node-{round}-{i}", clock)).ToList();
            using var start = new Barrier(nodes.Count);
            var held = await Task.WhenAll(nodes.Select(n => Task.Run(() =>
            {
                start.SignalAndWait();
                return n.TryHoldAsync();
            })));
            Assert.Equal(1, held.Count(h => h));
            var winner = nodes[Array.IndexOf(held, true)];
            var row = Assert.Single(db.Repository<KashFlowFarmLease>().Table.ToList());
            Assert.Equal(winner.Node, row.Holder);
            // the holder renews; nobody else gets it until it expires
            Assert.True(await winner.TryHoldAsync());
            Assert.False(await nodes.First(n => n != winner).TryHoldAsync());
            // next round: the lease expires (its holder died) and a new set of nodes races for it
            clock.Advance(FarmLease.Expiry + TimeSpan.FromSeconds(1));
        }
    }
}
