using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Xunit.Abstractions;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// A web farm: two nopCommerce nodes (two plugin hosts, two App_Data folders, each its own engine and
/// journal) over ONE store database (the orders in the shared fakes; the plugin's hand-off tables in a real
/// SQLite file made by its migration), syncing to one sandbox KashFlow over real HTTP. The active node is
/// killed mid-sync (its engine torn down, its lease not released); the other takes over when the lease
/// expires and every order is invoiced exactly once.
/// </summary>
public class WebFarmTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LeaseExpiry = TimeSpan.FromSeconds(3);

    private static Action<IServiceCollection> StoreDatabase(FarmDatabase db) => services =>
    {
        services.AddScoped(_ => db.Repository<KashFlowFarmDocument>());
        services.AddScoped(_ => db.Repository<KashFlowFarmLease>());
    };

    private static KashFlowEngineHost Host(TestStore node) => (KashFlowEngineHost)node.Host;

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await condition())
                return true;
            await Task.Delay(100);
        }
        return await condition();
    }

    private static Order Seed(TestStore node, int orderId, DateTime createdUtc)
    {
        // six customers shared by the orders of both nodes: KashFlow must end with each once
        var order = SampleOrders.SeedZeroRatedOrder(node, orderId, customerId: 600 + orderId % 6);
        order.CreatedOnUtc = createdUtc;
        return order;
    }

    [Theory]
    [InlineData(KashFlowTransport.Soap)]
    [InlineData(KashFlowTransport.Rest)]
    public async Task Two_nodes_one_database_the_active_node_killed_mid_sync_every_order_is_invoiced_exactly_once(KashFlowTransport transport)
    {
        using var db = new FarmDatabase();
        db.Migrate();
        // the sandbox KashFlow: another engine's in-process one, spoken to over HTTP by both nodes
        await using var kashflow = new TestStore();
        await kashflow.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; s.PullStock = false; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await kashflow.Host.EnsureStartedAsync(), kashflow.Host.LastStartError);
        var sandboxUrl = EngineDocuments.ParseConnectionReport(await kashflow.Host.Engine!.TestConnectionAsync()).BaseUrl!;
        var books = new SandboxBooks(sandboxUrl);

        var a = new TestStore(configureServices: StoreDatabase(db));
        await using var b = new TestStore(sameDatabaseAs: a, configureServices: StoreDatabase(db));
        foreach (var node in new[] { a, b })
        {
            Host(node).FarmLeaseExpiry = LeaseExpiry;
            Host(node).FarmCatchUpSettle = TimeSpan.Zero;
            Host(node).FarmCatchUpEvery = TimeSpan.Zero;
        }
        await a.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.BaseUrl = sandboxUrl;
            s.Transport = transport;
            s.PullStock = false;
            s.WebFarm = true;
        }, "sandbox", "sandbox-password", "kashflow");
        var syncOnSince = DateTime.SpecifyKind((await a.Scope().ServiceProvider.GetRequiredService<KashFlowSettingsManager>().LoadAsync()).SyncOnSinceUtc!.Value, DateTimeKind.Utc);

        // A looks first and becomes the active node; B only hands over
        await a.Poller.RunOnceAsync();
        await b.Poller.RunOnceAsync();
        Assert.True(Host(a).IsFarmActiveNode);
        Assert.False(Host(b).IsFarmActiveNode);
        Assert.Null(b.Host.Engine);
        var status = await b.Host.FarmStatusAsync();
        Assert.Equal((Host(a).FarmNode, false), (status!.ActiveNode, status.ThisNodeActive));

        // checkouts on both nodes: each writes its rows to the store database
        var now = DateTime.UtcNow;
        for (var id = 7001; id <= 7016; id++)
        {
            var node = id % 2 == 0 ? a : b;
            await node.PublishAsync(new OrderPlacedEvent(Seed(node, id, now)));
        }
        var rows = db.Repository<KashFlowFarmDocument>();
        Assert.Equal(16, rows.Table.Count());
        Assert.Equal(8, rows.Table.Count(r => r.Node == Host(b).FarmNode));

        // A syncs until KashFlow has some of them; then it dies: engine torn down, lease never released
        Assert.True(await UntilAsync(async () =>
        {
            await a.Poller.RunOnceAsync();
            return (await books.InvoicesAsync()).Count > 0;
        }, TimeSpan.FromSeconds(60)), a.Logger.AllText);
        var killed = Stopwatch.StartNew();
        a.Host.Engine!.Dispose();
        var invoicedBeforeKill = (await books.InvoicesAsync()).Count;
        var syncedByA = rows.Table.Where(r => r.SyncedOnUtc != null).Select(r => r.Id).ToHashSet();
        var unsyncedAtKill = rows.Table.Count(r => r.SyncedOnUtc == null);

        // while A is dead: more checkouts on B, and an order whose consumer never ran (its node died between
        // nopCommerce's commit and the row); and one placed while sync was off, which must not be posted
        for (var id = 7017; id <= 7024; id++)
            await b.PublishAsync(new OrderPlacedEvent(Seed(b, id, DateTime.UtcNow)));
        Seed(b, 7025, DateTime.UtcNow);
        Seed(b, 7026, syncOnSince - TimeSpan.FromMinutes(1));

        // B takes over once the lease expires
        Assert.True(await UntilAsync(async () =>
        {
            await b.Poller.RunOnceAsync();
            return Host(b).IsFarmActiveNode;
        }, LeaseExpiry * 4), b.Logger.AllText);
        // from the kill to B holding the lease with its engine started and its first pass done
        var takeover = killed.Elapsed;
        Assert.True(takeover < LeaseExpiry + TimeSpan.FromSeconds(2), $"takeover took {takeover}");

        // and syncs everything: every row marked synced, every order in KashFlow
        Assert.True(await UntilAsync(async () =>
        {
            await b.Poller.RunOnceAsync();
            return rows.Table.All(r => r.SyncedOnUtc != null) && rows.Table.Select(r => r.OrderId).Distinct().Count() == 25;
        }, TimeSpan.FromSeconds(90)), $"unsynced: {string.Join(", ", rows.Table.Where(r => r.SyncedOnUtc == null).Select(r => r.OrderId))}\n{b.Logger.AllText}");

        var invoices = (await books.InvoicesAsync()).Where(i => i.Type != "CreditNote").ToList();
        var perOrder = invoices.GroupBy(i => i.CustomerReference).ToDictionary(g => g.Key ?? "", g => g.Count());
        var customers = (await books.CustomersAsync()).Where(c => c.Email?.StartsWith("customer6", StringComparison.Ordinal) == true).ToList();
        var duplicateInvoices = perOrder.Values.Sum(n => n - 1);
        var duplicateCustomers = customers.GroupBy(c => c.Email, StringComparer.OrdinalIgnoreCase).Sum(g => g.Count() - 1);
        output.WriteLine($"{transport}: takeover {takeover.TotalMilliseconds:F0} ms (lease {LeaseExpiry.TotalSeconds} s); invoiced before the kill {invoicedBeforeKill}, rows unsynced at the kill {unsyncedAtKill}; " +
                         $"invoices {invoices.Count} for 25 orders, duplicate invoices {duplicateInvoices}, customers {customers.Count} for 6 e-mails, duplicate customers {duplicateCustomers}");
        Assert.Equal(25, invoices.Count);
        Assert.Equal(0, duplicateInvoices);
        Assert.Equal(6, customers.Count);
        Assert.Equal(0, duplicateCustomers);
        Assert.DoesNotContain(rows.Table, r => r.OrderId == 7026); // placed while sync was off: the admin's backfill
        Assert.Contains(rows.Table, r => r.OrderId == 7025 && r.Node == Host(b).FarmNode); // found by the farm-wide catch-up
        // what A had not confirmed synced, B journalled again (KashFlow's look-before-post kept it once)
        Assert.All(rows.Table.ToList().Where(r => !syncedByA.Contains(r.Id)), r => Assert.Equal(Host(b).FarmNode, r.JournaledBy));

        // A comes back (its process restarted, say): it is not the active node and sends nothing
        await a.DisposeAsync();
    }

    [Fact]
    public async Task The_active_node_in_its_own_process_killed_with_SIGKILL_mid_sync_is_taken_over_and_nothing_is_posted_twice()
    {
        using var db = new FarmDatabase();
        db.Migrate();
        await using var kashflow = new TestStore();
        await kashflow.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; s.PullStock = false; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await kashflow.Host.EnsureStartedAsync(), kashflow.Host.LastStartError);
        var sandboxUrl = EngineDocuments.ParseConnectionReport(await kashflow.Host.Engine!.TestConnectionAsync()).BaseUrl!;
        var books = new SandboxBooks(sandboxUrl);
        await using var b = new TestStore(configureServices: StoreDatabase(db));
        Host(b).FarmLeaseExpiry = LeaseExpiry;
        await b.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.BaseUrl = sandboxUrl;
            s.Transport = KashFlowTransport.Soap;
            s.PullStock = false;
            s.WebFarm = true;
        }, "sandbox", "sandbox-password", "kashflow");

        // node A: this test assembly run as a node in a child process (FarmNodeProcess), same database file
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(FarmNodeProcess).Assembly.Location);
        start.ArgumentList.Add("farm-node");
        start.ArgumentList.Add(System.Text.Json.JsonSerializer.Serialize(new FarmNodeArguments(db.FilePath, sandboxUrl, KashFlowTransport.Soap, LeaseExpiry.TotalSeconds)));
        var childOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) childOutput.Enqueue(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) childOutput.Enqueue(e.Data); };
        Assert.True(child.Start());
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            // A takes the lease first (B does not look until then); then B looks and only hands over
            var leases = new FarmLease(db.Repository<KashFlowFarmLease>(), "observer");
            Assert.True(await UntilAsync(() => Task.FromResult(leases.Current() is not null), TimeSpan.FromSeconds(90)), "child: " + string.Join("\n", childOutput));
            await b.Poller.RunOnceAsync();
            Assert.False(Host(b).IsFarmActiveNode);
            Assert.Null(b.Host.Engine);
            Assert.Contains(leases.Current()!.Holder, childOutput.First(l => l.StartsWith("node ", StringComparison.Ordinal)));

            for (var id = 7101; id <= 7116; id++)
                await b.PublishAsync(new OrderPlacedEvent(Seed(b, id, DateTime.UtcNow)));
            Assert.True(await UntilAsync(async () => (await books.InvoicesAsync()).Count > 0, TimeSpan.FromSeconds(60)), "child: " + string.Join("\n", childOutput));
            child.Kill(entireProcessTree: true); // SIGKILL: requests on the wire are cut, nothing is released
            var killed = Stopwatch.StartNew();
            await child.WaitForExitAsync();
            var invoicedBeforeKill = (await books.InvoicesAsync()).Count;

            for (var id = 7117; id <= 7124; id++)
                await b.PublishAsync(new OrderPlacedEvent(Seed(b, id, DateTime.UtcNow)));
            Assert.True(await UntilAsync(async () =>
            {
                await b.Poller.RunOnceAsync();
                return Host(b).IsFarmActiveNode;
            }, LeaseExpiry * 4), b.Logger.AllText);
            var takeover = killed.Elapsed;
            var rows = db.Repository<KashFlowFarmDocument>();
            Assert.True(await UntilAsync(async () =>
            {
                await b.Poller.RunOnceAsync();
                return rows.Table.All(r => r.SyncedOnUtc != null);
            }, TimeSpan.FromSeconds(90)), $"unsynced: {string.Join(", ", rows.Table.Where(r => r.SyncedOnUtc == null).Select(r => r.OrderId))}\n{b.Logger.AllText}");

            var invoices = (await books.InvoicesAsync()).Where(i => i.Type != "CreditNote").ToList();
            var duplicateInvoices = invoices.GroupBy(i => i.CustomerReference).Sum(g => g.Count() - 1);
            var customers = (await books.CustomersAsync()).Where(c => c.Email?.StartsWith("customer6", StringComparison.Ordinal) == true).ToList();
            var duplicateCustomers = customers.GroupBy(c => c.Email, StringComparer.OrdinalIgnoreCase).Sum(g => g.Count() - 1);
            output.WriteLine($"SIGKILL (Soap): takeover {takeover.TotalMilliseconds:F0} ms (lease {LeaseExpiry.TotalSeconds} s); invoiced before the kill {invoicedBeforeKill}; " +
                             $"invoices {invoices.Count} for 24 orders, duplicate invoices {duplicateInvoices}, customers {customers.Count} for 6 e-mails, duplicate customers {duplicateCustomers}");
            Assert.True(takeover < LeaseExpiry + TimeSpan.FromSeconds(2), $"takeover took {takeover}");
            Assert.Equal(24, invoices.Count);
            Assert.Equal(0, duplicateInvoices);
            Assert.Equal(6, customers.Count);
            Assert.Equal(0, duplicateCustomers);
        }
        finally
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            if (childOutput.FirstOrDefault(l => l.StartsWith("root ", StringComparison.Ordinal)) is { } root)
                Directory.Delete(root["root ".Length..], recursive: true);
        }
    }

    /// <summary>The store database's repository, refusing every write while <see cref="Failing"/> (the database down).</summary>
    private sealed class FlakyRepository<T>(IRepository<T> inner) : IRepository<T> where T : Nop.Core.BaseEntity
    {
        public static volatile bool Failing;

        private void Check()
        {
            if (Failing)
                throw new InvalidOperationException("the database server is unreachable");
        }

        public IQueryable<T> Table
        {
            get
            {
                Check();
                return inner.Table;
            }
        }

        public Task InsertAsync(T entity, bool publishEvent = true)
        {
            Check();
            return inner.InsertAsync(entity, publishEvent);
        }

        public Task UpdateAsync(T entity, bool publishEvent = true)
        {
            Check();
            return inner.UpdateAsync(entity, publishEvent);
        }

        public Task<int> DeleteAsync(System.Linq.Expressions.Expression<Func<T, bool>> predicate)
        {
            Check();
            return inner.DeleteAsync(predicate);
        }
    }

    [Fact]
    public async Task A_checkout_the_store_database_refuses_is_spooled_and_handed_over_once_it_takes_it_and_a_clean_stop_hands_over_at_once()
    {
        using var db = new FarmDatabase();
        db.Migrate();
        var flaky = new FlakyRepository<KashFlowFarmDocument>(db.Repository<KashFlowFarmDocument>());
        Action<IServiceCollection> storeDatabase = services =>
        {
            services.AddScoped<IRepository<KashFlowFarmDocument>>(_ => flaky);
            services.AddScoped(_ => db.Repository<KashFlowFarmLease>());
        };
        await using var a = new TestStore(configureServices: storeDatabase);
        await using var b = new TestStore(sameDatabaseAs: a, configureServices: storeDatabase);
        await a.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; s.PullStock = false; s.WebFarm = true; }, "sandbox", "sandbox-password", "kashflow");
        await a.Poller.RunOnceAsync();
        await b.Poller.RunOnceAsync();
        Assert.True(Host(a).IsFarmActiveNode);

        // the database refuses B's row: the checkout still returns, and the document waits in B's spool
        FlakyRepository<KashFlowFarmDocument>.Failing = true;
        try
        {
            await b.PublishAsync(new OrderPlacedEvent(Seed(b, 8001, DateTime.UtcNow)));
            Assert.Single(b.Host.Spool.List());
            await b.Poller.RunOnceAsync(); // still refused: stays spooled
            Assert.Single(b.Host.Spool.List());
        }
        finally
        {
            FlakyRepository<KashFlowFarmDocument>.Failing = false;
        }
        await b.Poller.RunOnceAsync();
        Assert.Empty(b.Host.Spool.List());
        var row = Assert.Single(db.Repository<KashFlowFarmDocument>().Table.ToList());
        Assert.Equal((8001, Host(b).FarmNode), (row.OrderId, row.Node));

        // the active node journals it; then stops cleanly: B takes over at its next look, not after the expiry
        Assert.True(await UntilAsync(async () =>
        {
            await a.Poller.RunOnceAsync();
            return db.Repository<KashFlowFarmDocument>().Table.Single().JournaledBy == Host(a).FarmNode;
        }, TimeSpan.FromSeconds(30)), a.Logger.AllText);
        a.Host.Stop();
        Assert.Null(await a.Host.FarmStatusAsync() is { ActiveNode: { } active } ? active : null);
        var handover = Stopwatch.StartNew();
        await b.Poller.RunOnceAsync();
        Assert.True(Host(b).IsFarmActiveNode);
        Assert.NotNull(b.Host.Engine);
        output.WriteLine($"clean stop: B active {handover.ElapsedMilliseconds} ms after A stopped (one look; lease {FarmLease.Expiry.TotalSeconds} s)");
    }
}
