using Microsoft.Extensions.Time.Testing;
using System.Text.Json.Nodes;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// Checkout hands its documents off in memory; a clean stop drains them, and after an unclean one the
/// catch-up rebuilds from the store what the journal lacks.
/// </summary>
public class HandOffTests
{
    private static Task ConfigureQuietSandboxAsync(TestStore store) =>
        // steps off: the journal is what these tests look at, not KashFlow
        store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.SyncCustomers = s.CreateInvoices = s.RecordPayments = s.PullStock = false;
        }, "sandbox", "sandbox-password", "kashflow");

    private static Order Seed(TestStore store, int id, DateTime createdUtc, PaymentStatus payment = PaymentStatus.Pending)
    {
        var order = SampleOrders.SeedZeroRatedOrder(store, id, paymentStatus: payment);
        order.CreatedOnUtc = createdUtc;
        order.PaidDateUtc = payment == PaymentStatus.Paid ? createdUtc.AddMinutes(1) : null;
        return order;
    }

    private static RecordDetail? Detail(TestStore store, int orderId)
    {
        var page = EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [orderId]).ToJson()));
        var row = page.Items.SingleOrDefault();
        return row is null ? null : EngineDocuments.ParseRecordDetail(store.Host.Engine!.RecordDetailJson(row.RecordId));
    }

    private static IEnumerable<string> EventKinds(RecordDetail detail) => (detail.Events ?? []).Select(e => e.Kind ?? "");

    [Fact]
    public async Task Checkout_hands_the_order_off_and_the_writer_journals_its_documents_in_order()
    {
        await using var store = new TestStore();
        await ConfigureQuietSandboxAsync(store);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var order = Seed(store, 401, DateTime.UtcNow, PaymentStatus.Paid);

        await store.PublishAsync(new OrderPlacedEvent(order));
        await store.PublishAsync(new OrderPaidEvent(order));
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));

        var detail = Detail(store, 401) ?? throw new Xunit.Sdk.XunitException("order 401 is not in the journal");
        Assert.Equal(401, detail.Record.OrderId);
        Assert.Equal(401, detail.Snapshot!.Value.GetProperty("Id").GetInt32());
        Assert.Contains(detail.Jobs!, j => j.Kind == "SyncOrder" && j.CreatedUtc is { Kind: DateTimeKind.Utc });
        Assert.Contains("OrderPaid", EventKinds(detail));
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.True(File.Exists(((KashFlowEngineHost)store.Host).HandOffMarkerPath), "the marker is open while the process runs");
        Assert.Equal(SubmitState.HandedOff, store.Host.HandOffOrder(402, "{}").State);
    }

    [Fact]
    public async Task Concurrent_checkouts_are_all_journalled_once()
    {
        await using var store = new TestStore();
        await ConfigureQuietSandboxAsync(store);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var orders = Enumerable.Range(700, 200).Select(id => Seed(store, id, DateTime.UtcNow)).ToList();

        // 8 checkouts at a time, each its own request scope, as Kestrel would run them
        await Parallel.ForEachAsync(orders, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (order, _) => await store.PublishAsync(new OrderPlacedEvent(order)));
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(60)));

        var page = EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(
            new RecordQuery([], null, null, null, 1, 500, orders.Select(o => o.Id).ToList()).ToJson()));
        Assert.Equal(200, page.Total);
        Assert.Equal(200, page.Items.Select(r => r.OrderId).Distinct().Count());
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.DoesNotContain(store.Logger.Entries, e => e.Level == "Error");
    }

    [Fact]
    public async Task Switching_the_plugin_off_closes_the_marker_and_on_again_starts_a_new_floor()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        await using var store = new TestStore(time: clock);
        await ConfigureQuietSandboxAsync(store);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        await store.PublishAsync(new OrderPlacedEvent(Seed(store, 801, clock.GetUtcNow().UtcDateTime)));
        var marker = ((KashFlowEngineHost)store.Host).HandOffMarkerPath;
        Assert.True(File.Exists(marker));
        var firstFloor = DateTime.Parse(File.ReadAllText(marker), null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        Assert.NotNull(Detail(store, 801));

        await store.ConfigureAsync(s => s.Enabled = false);
        await store.Host.ApplySettingsAsync();
        Assert.False(File.Exists(marker), "off, with the hand-off drained: nothing of this process needs catching up");

        Assert.Equal(clock.GetUtcNow().UtcDateTime, firstFloor); // the host's start

        clock.Advance(TimeSpan.FromMinutes(7));
        var switchedOn = clock.GetUtcNow().UtcDateTime;
        await store.ConfigureAsync(s => s.Enabled = true);
        await store.Host.ApplySettingsAsync();
        clock.Advance(TimeSpan.FromSeconds(3));
        await store.PublishAsync(new OrderPlacedEvent(Seed(store, 802, clock.GetUtcNow().UtcDateTime)));
        var floor = DateTime.Parse(File.ReadAllText(marker), null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.Equal(switchedOn, floor); // when it was switched on again, not when the order came
    }

    [Fact]
    public async Task A_clean_stop_drains_the_hand_off_and_removes_the_marker()
    {
        var data = Path.Combine(Path.GetTempPath(), "kashflow-handoff-" + Guid.NewGuid().ToString("N"));
        string marker;
        await using (var store = new TestStore(dataDirectory: data))
        {
            marker = ((KashFlowEngineHost)store.Host).HandOffMarkerPath;
            await ConfigureQuietSandboxAsync(store);
            // the engine is not running: the writer spools, and the clean stop waits for it
            for (var id = 410; id < 430; id++)
                await store.PublishAsync(new OrderPlacedEvent(Seed(store, id, DateTime.UtcNow)));
            Assert.True(File.Exists(marker));
        }
        Assert.Equal(20, new SnapshotSpool(Path.Combine(data, KashFlowDefaults.SpoolDirectoryName)).List().Count);
        Assert.False(File.Exists(marker), "a clean stop leaves no marker: the next start has nothing to catch up");
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task After_an_unclean_exit_the_catch_up_rebuilds_what_the_journal_lacks_from_the_store()
    {
        var data = Path.Combine(Path.GetTempPath(), "kashflow-handoff-" + Guid.NewGuid().ToString("N"));
        var now = DateTime.UtcNow;
        var floor = now.AddMinutes(-1);

        // the process that crashed: it journalled orders 501, 503 and 504 as placed (unpaid, open)
        await using (var before = new TestStore(dataDirectory: data))
        {
            await ConfigureQuietSandboxAsync(before);
            Assert.True(await before.Host.EnsureStartedAsync(), before.Host.LastStartError);
            var builder = (IOrderSnapshotBuilder)before.Services.GetService(typeof(IOrderSnapshotBuilder))!;
            foreach (var id in new[] { 501, 503, 504, 506 })
                Assert.Equal(SubmitState.Enqueued, before.Host.SubmitOrder(id, await builder.BuildJsonAsync(Seed(before, id, now))).State);
        }
        // ...and died with 502, 503's payment and 504's cancellation still in memory: its marker remains
        File.WriteAllText(Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName), floor.ToString("O"));

        await using var store = new TestStore(dataDirectory: data);
        Seed(store, 501, now);
        Seed(store, 502, now);
        Seed(store, 503, now, PaymentStatus.Paid);
        Seed(store, 504, now).OrderStatus = OrderStatus.Cancelled;
        Seed(store, 505, floor.AddHours(-2)); // long before the crash window: not the catch-up's business
        Seed(store, 506, now, PaymentStatus.Paid).PaidDateUtc = floor.AddMinutes(-10); // paid before it: journalled then
        await ConfigureQuietSandboxAsync(store);
        // the settings the crashed process left: sync on since long before the crash window
        await store.ConfigureAsync(s => s.SyncOnSinceUtc = floor.AddHours(-3));
        Assert.Equal(floor, store.Host.CatchUpFromUtc);

        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);

        Assert.Null(store.Host.CatchUpFromUtc);
        Assert.NotNull(Detail(store, 502)?.Snapshot);
        Assert.Contains("OrderPaid", EventKinds(Detail(store, 503)!));
        Assert.Contains("OrderCancelled", EventKinds(Detail(store, 504)!));
        Assert.DoesNotContain("OrderPaid", EventKinds(Detail(store, 501)!));
        Assert.Null(Detail(store, 505));
        Assert.DoesNotContain("OrderPaid", EventKinds(Detail(store, 506)!));
        Assert.Contains(store.Logger.Entries, e => e.Level == "Information"
            && e.Message.Contains("not clean") && e.Message.Contains("5 order(s)") && e.Message.Contains("1 snapshot(s) and 2 payment or cancellation")
            && e.Message.Contains($"since {floor - OrderCatchUp.Margin:u}"));
        // adopted: the crashed process's file is gone, its floor is this host's own, kept until a clean stop
        Assert.False(File.Exists(Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName)));
        Assert.Equal(floor.ToString("O"), File.ReadAllText(((KashFlowEngineHost)store.Host).HandOffMarkerPath));

        // running it twice changes nothing (a restart that crashed again before the next clean stop), once
        // the first run's work has settled: a cancellation that met its order's invoice in flight becomes a
        // credit note only when that attempt finishes
        for (var i = 0; i < 300 && Detail(store, 504)!.Record.State is "InFlight" or "Pending"; i++)
            await Task.Delay(20);
        var again = await OrderCatchUp.RunAsync(store.Host.Engine!, store.Orders, (IOrderSnapshotBuilder)store.Services.GetService(typeof(IOrderSnapshotBuilder))!,
            floor, (id, json) => store.Host.SubmitOrder(id, json), (id, json) => store.Host.SubmitEvent(id, json), CancellationToken.None);
        Assert.Equal(new CatchUpResult(5, 0, 1), again); // the payment again (the engine knows it); 504 is cancelled now
        Assert.Single(EventKinds(Detail(store, 503)!), k => k == "OrderPaid");
        Assert.Single(EventKinds(Detail(store, 504)!), k => k == "OrderCancelled");
    }

    [Fact]
    public async Task One_order_that_cannot_be_built_does_not_stop_the_catch_up()
    {
        await using var store = new TestStore();
        await ConfigureQuietSandboxAsync(store);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var now = DateTime.UtcNow;
        foreach (var id in new[] { 601, 602, 603 })
            Seed(store, id, now);
        var builder = (IOrderSnapshotBuilder)store.Services.GetService(typeof(IOrderSnapshotBuilder))!;
        var submitted = new List<int>();
        var failed = new List<int>();
        var result = await OrderCatchUp.RunAsync(store.Host.Engine!, store.Orders, new FailingFor(builder, 602), now.AddMinutes(-1),
            (id, json) => { submitted.Add(id); store.Host.SubmitOrder(id, json); }, (_, _) => { }, CancellationToken.None,
            (id, _) => failed.Add(id));
        Assert.Equal([601, 603], submitted);
        Assert.Equal([602], failed);
        Assert.Equal(new CatchUpResult(3, 2, 0), result);
    }

    [Fact]
    public async Task The_catch_up_resends_the_refunds_the_journal_lacks_once_each()
    {
        await using var store = new TestStore();
        await ConfigureQuietSandboxAsync(store);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var now = DateTime.UtcNow;
        var order = Seed(store, 701, now, PaymentStatus.Paid);
        var builder = (IOrderSnapshotBuilder)store.Services.GetService(typeof(IOrderSnapshotBuilder))!;
        store.Host.SubmitOrder(701, await builder.BuildJsonAsync(order));
        // two refunds the process died before journalling: 10.00 by the gateway, then the rest by hand
        order.RefundedAmount = 33.00m;
        order.PaymentStatus = PaymentStatus.Refunded;
        await store.Orders.InsertOrderNoteAsync(new OrderNote { OrderId = 701, Note = "Order has been partially refunded. Amount = 10.00", CreatedOnUtc = now.AddMinutes(2) });
        await store.Orders.InsertOrderNoteAsync(new OrderNote { OrderId = 701, Note = "Order has been marked as partially refunded. Amount = 23.00", CreatedOnUtc = now.AddMinutes(3) });
        await store.Orders.InsertOrderNoteAsync(new OrderNote { OrderId = 701, Note = "KashFlow invoice 100701 created", CreatedOnUtc = now.AddMinutes(1) });

        var sent = new List<JsonObject>();
        var result = await OrderCatchUp.RunAsync(store.Host.Engine!, store.Orders, builder, now.AddMinutes(-1),
            (id, json) => store.Host.SubmitOrder(id, json),
            (id, json) => { sent.Add(JsonNode.Parse(json)!.AsObject()); store.Host.SubmitEvent(id, json); }, CancellationToken.None);
        var refunds = sent.Where(d => (string?)d["Kind"] == "OrderRefunded").ToList();
        Assert.Equal([10.00m, 23.00m], refunds.Select(d => (decimal)d["Amount"]!));
        Assert.Equal(["PartiallyRefunded", "Refunded"], refunds.Select(d => (string)d["PaymentStatus"]!));
        Assert.Equal([false, true], refunds.Select(d => (bool)d["Offline"]!));
        Assert.Equal(2, result.EventsSubmitted); // the two refunds (the order is no longer Paid)

        // again (another crash before a clean stop): the journal has both, nothing is re-sent
        sent.Clear();
        await OrderCatchUp.RunAsync(store.Host.Engine!, store.Orders, builder, now.AddMinutes(-1),
            (id, json) => store.Host.SubmitOrder(id, json),
            (id, json) => { sent.Add(JsonNode.Parse(json)!.AsObject()); store.Host.SubmitEvent(id, json); }, CancellationToken.None);
        Assert.DoesNotContain(sent, d => (string?)d["Kind"] == "OrderRefunded");
        Assert.Equal(2, EngineDocuments.ParseRecordDetail(store.Host.Engine!.RecordDetailJson(
            EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [701]).ToJson())).Items.Single().RecordId))
            .Record.CreditNoteList.Count);
    }

    [Fact]
    public void Refund_notes_are_read_as_nopcommerce_writes_them()
    {
        var at = new DateTime(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        RefundNote? Read(string text) => RefundNote.Parse(new OrderNote { Note = text, CreatedOnUtc = at });
        Assert.Equal(new RefundNote(12.50m, at, false, "Order has been refunded. Amount = 12.50"), Read("Order has been refunded. Amount = 12.50"));
        Assert.True(Read("Order has been marked as refunded. Amount = 3")!.Offline);
        Assert.Equal(7.25m, Read("Order has been partially refunded. Amount = 7,25")!.Amount);
        Assert.Null(Read("Order has been marked as paid"));
        Assert.Null(Read("KashFlow credit note 10012501 for 33.00 GBP posted (invoice 100125)"));
    }

    private sealed class FailingFor(IOrderSnapshotBuilder inner, int orderId) : IOrderSnapshotBuilder
    {
        public Task<OrderSnapshot> BuildAsync(Order order) => order.Id == orderId ? throw new InvalidOperationException("product gone") : inner.BuildAsync(order);
        public Task<string> BuildJsonAsync(Order order) => order.Id == orderId ? throw new InvalidOperationException("product gone") : inner.BuildJsonAsync(order);
    }

    [Fact]
    public void The_hand_off_refuses_when_full_reports_a_failed_write_and_drains_on_stop()
    {
        var written = new List<int>();
        var failed = new List<int>();
        using var gate = new ManualResetEventSlim(false);
        using var busy = new ManualResetEventSlim(false);
        var handOff = new CheckoutHandOff(item =>
        {
            busy.Set();
            gate.Wait();
            if (item.OrderId == 3)
                throw new IOException("disk full");
            lock (written)
                written.Add(item.OrderId);
        }, (item, _) => failed.Add(item.OrderId), capacity: 3);

        Assert.True(handOff.TryAccept(new HandOffItem(SpoolKind.Order, 1, "{}")));
        // the writer holds item 1; three more fill the queue and a fifth is refused
        Assert.True(busy.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, handOff.Pending);
        for (var id = 2; id <= 4; id++)
            Assert.True(handOff.TryAccept(new HandOffItem(SpoolKind.Order, id, "{}")));
        Assert.False(handOff.TryAccept(new HandOffItem(SpoolKind.Order, 5, "{}")));
        Assert.False(handOff.WaitUntilWritten(TimeSpan.FromMilliseconds(50)));

        gate.Set();
        Assert.True(handOff.Stop(TimeSpan.FromSeconds(10)));
        Assert.Equal([1, 2, 4], written);
        Assert.Equal([3], failed);
        Assert.False(handOff.TryAccept(new HandOffItem(SpoolKind.Order, 6, "{}")), "refuses after stop");
    }
}
