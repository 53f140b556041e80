using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewComponents;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.KashFlow.Components;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Web.Framework.Infrastructure;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The plugin with the real native engine and the engine's sandbox KashFlow (Mode "Sandbox", real HTTP
/// on 127.0.0.1): orders placed, paid and cancelled in the fake nopCommerce end up in KashFlow, and the
/// outcomes come back into nopCommerce.
/// </summary>
public class SandboxEndToEndTests
{
    private const string SandboxUser = "sandbox";
    private const string SandboxPassword = "sandbox-password";
    private const string SandboxWord = "kashflow";

    private static async Task<TestStore> SandboxStoreAsync(Action<KashFlowSettings>? change = null, string password = SandboxPassword)
    {
        var store = new TestStore();
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            change?.Invoke(s);
        }, SandboxUser, password, SandboxWord);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        return store;
    }

    /// <summary>Runs the poller until the condition holds; bounded (about 30 s), never a timing assertion.</summary>
    private static async Task<bool> PollUntilAsync(TestStore store, Func<bool> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            await store.Poller.RunOnceAsync();
            if (condition())
                return true;
            await Task.Delay(100);
        }
        return condition();
    }

    /// <summary>The engine keeps one record per order (its invoice, payment and cancellation jobs inside).</summary>
    private static RecordSummary Record(TestStore store, long orderId) =>
        Assert.Single(EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(), 1, 50).ToJson())).Items,
            r => r.OrderId == orderId);

    private static RecordDetail Detail(TestStore store, long orderId) =>
        EngineDocuments.ParseRecordDetail(store.Host.Engine!.RecordDetailJson(Record(store, orderId).RecordId));

    private static IEnumerable<(string Kind, string State)> Jobs(TestStore store, long orderId) =>
        (Detail(store, orderId).Jobs ?? []).Select(j => (j.Kind ?? "", j.State ?? ""));

    /// <summary>The event documents the journal received for the order, as they were stored.</summary>
    private static IEnumerable<System.Text.Json.Nodes.JsonObject> EventDocuments(TestStore store, long orderId) =>
        (Detail(store, orderId).Events ?? []).Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Document!.Value.GetRawText())!.AsObject());

    [Fact]
    public async Task A_placed_order_becomes_an_invoice_and_the_order_goes_to_processing_with_a_note()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 123);

        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(store.Host.Spool.IsEmpty);

        Assert.True(await PollUntilAsync(store, () => store.Orders.Orders[123].OrderStatus == OrderStatus.Processing && !store.Orders.Notes.IsEmpty),
            $"order not processed; log:\n{store.Logger.AllText}");
        var note = Assert.Single(store.Orders.Notes, n => n.OrderId == 123);
        Assert.Contains("100123", note.Note); // invoice number = 100000 + order id (default rules)
        Assert.False(note.DisplayToCustomer);
        Assert.Contains(store.Published.All, e => e is OrderStatusChangedEvent { PreviousOrderStatus: OrderStatus.Pending });
        var record = Record(store, 123);
        Assert.Equal("Synced", record.State);
        Assert.Equal(100123, record.InvoiceNumber);
        Assert.Equal("NOP000045", record.CustomerCode);
    }

    [Fact]
    public async Task A_paid_order_gets_its_payment_on_the_invoice()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 124, paymentStatus: PaymentStatus.Pending);
        await store.PublishAsync(new OrderPlacedEvent(order));
        order.PaymentStatus = PaymentStatus.Paid;
        order.PaidDateUtc = new DateTime(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        await store.PublishAsync(new OrderPaidEvent(order));

        Assert.True(await PollUntilAsync(store, () => Record(store, 124).State == "Synced" && Jobs(store, 124).Any(j => j.Kind.Contains("Payment", StringComparison.Ordinal) && j.State == "Done")),
            $"payment not synced; jobs {string.Join(", ", Jobs(store, 124))}; log:\n{store.Logger.AllText}");
        var events = (Detail(store, 124).Events ?? []).Select(e => e.Kind);
        Assert.Contains("OrderPaid", events);
    }

    /// <summary>Null until the hand-off has journalled the order.</summary>
    private static RecordSummary? RecordOrNull(TestStore store, long orderId) =>
        EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(), 1, 50).ToJson())).Items
            .SingleOrDefault(r => r.OrderId == orderId);

    private static CreditNoteSummary? PostedCreditNote(TestStore store, long orderId, int seq = 1) =>
        Record(store, orderId).CreditNotes?.FirstOrDefault(c => c.Seq == seq && c.IsPosted);

    [Fact]
    public async Task Cancelling_an_invoiced_order_posts_a_credit_note_and_notes_it_on_the_order()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 125);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => store.Orders.Orders[125].OrderStatus == OrderStatus.Processing));

        order.OrderStatus = OrderStatus.Cancelled;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Processing));
        Assert.True(await PollUntilAsync(store, () => store.Orders.Notes.Any(n => n.OrderId == 125 && n.Note.Contains("credit note"))),
            $"no credit note; record {Record(store, 125)}; log:\n{store.Logger.AllText}");
        var note = Assert.Single(store.Orders.Notes, n => n.OrderId == 125 && n.Note.Contains("credit note"));
        Assert.Equal("KashFlow credit note 10012501 for 33.00 GBP posted (invoice 100125)", note.Note);
        var credit = PostedCreditNote(store, 125)!;
        Assert.Equal(("Cancellation", 10012501L, 33.00m, 33.00m, 0m), (credit.Cause, credit.Posted!.Number, credit.Posted.Amount, credit.Posted.Applied, credit.Posted.Refunded));
        Assert.False(Record(store, 125).NeedsCreditNote);
        Assert.Equal("10012501: 33.00 GBP on " + credit.Posted.Date, credit.ToString());
        Assert.Equal(OrderStatus.Cancelled, store.Orders.Orders[125].OrderStatus); // never moved back by KashFlow
    }

    [Fact]
    public async Task A_partial_refund_is_a_credit_note_dated_by_nopcommerces_refund_note_and_paid_back()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 126, paymentStatus: PaymentStatus.Paid);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => RecordOrNull(store, 126)?.State == "Synced"));

        // what nopCommerce's PartiallyRefundOfflineAsync leaves behind before it raises the event
        order.RefundedAmount = 10.00m;
        order.PaymentStatus = PaymentStatus.PartiallyRefunded;
        await store.Orders.InsertOrderNoteAsync(new OrderNote
        {
            OrderId = 126,
            Note = "Order has been marked as partially refunded. Amount = 10.00",
            CreatedOnUtc = new DateTime(2026, 6, 30, 23, 30, 0, DateTimeKind.Utc),
        });
        await store.PublishAsync(new OrderRefundedEvent(order, 10.00m));
        // reported twice (a second consumer, or the catch-up): still one credit note
        await store.PublishAsync(new OrderRefundedEvent(order, 10.00m));

        Assert.True(await PollUntilAsync(store, () => PostedCreditNote(store, 126) is not null),
            $"no credit note; record {Record(store, 126)}; log:\n{store.Logger.AllText}");
        var credit = PostedCreditNote(store, 126)!;
        Assert.Equal((10012601L, 10.00m, "2026-07-01", 10.00m), (credit.Posted!.Number, credit.Posted.Amount, credit.Posted.Date, credit.Posted.Refunded));
        Assert.Single(Record(store, 126).CreditNotes!);
        var refund = EventDocuments(store, 126).Single(d => (string?)d["Kind"] == "OrderRefunded");
        Assert.True((bool?)refund["Offline"]);
        Assert.Equal("PartiallyRefunded", (string?)refund["PaymentStatus"]);
        Assert.StartsWith("2026-06-30T23:30:00", (string?)refund["RefundDateUtc"]);
        Assert.Equal("Order has been marked as partially refunded. Amount = 10.00", (string?)refund["Note"]);
    }

    [Fact]
    public async Task A_void_after_invoicing_posts_a_credit_note_and_a_refund_beyond_the_invoice_is_a_visible_failure()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 127);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => RecordOrNull(store, 127)?.State == "Synced"));
        order.PaymentStatus = PaymentStatus.Voided;
        await store.PublishAsync(new OrderVoidedEvent(order));
        Assert.True(await PollUntilAsync(store, () => PostedCreditNote(store, 127) is not null),
            $"no credit note; record {Record(store, 127)}; log:\n{store.Logger.AllText}");
        Assert.Equal("Void", PostedCreditNote(store, 127)!.Cause);

        // the invoice is fully credited: a refund now has nothing left and fails with the reason
        order.PaymentStatus = PaymentStatus.PartiallyRefunded;
        await store.PublishAsync(new OrderRefundedEvent(order, 5.00m));
        Assert.True(await PollUntilAsync(store, () => Record(store, 127).State == "Failed"), $"record {Record(store, 127)}");
        var failed = Record(store, 127).CreditNotes!.Single(c => c.Seq == 2);
        Assert.Equal("Dead", failed.State);
        Assert.Contains("already credited in full", failed.LastError?.ToString() ?? "");
    }

    [Fact]
    public async Task A_held_partial_refund_is_itemised_from_the_record_page()
    {
        await using var store = await SandboxStoreAsync(s => s.HoldPartialRefunds = true);
        var order = SampleOrders.SeedZeroRatedOrder(store, 128, paymentStatus: PaymentStatus.Paid);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => RecordOrNull(store, 128)?.State == "Synced"));
        order.RefundedAmount = 7.50m;
        order.PaymentStatus = PaymentStatus.PartiallyRefunded;
        await store.PublishAsync(new OrderRefundedEvent(order, 7.50m));
        Assert.Equal("Held", Record(store, 128).CreditNotes!.Single().State);

        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var recordId = Record(store, 128).RecordId;
        var page = Assert.IsType<SyncRecordDetailModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.RecordDetail(recordId)).Model);
        // the invoice as posted: the cookbook (18.00) and two tea tins (7.50 each)
        var tea = Assert.Single(page.InvoiceLines, l => l.ProductCode == "TEA-TIN");
        Assert.Equal("2", tea.Quantity);
        Assert.Equal("Held", Assert.Single(page.Record.CreditNoteList).State);

        await controller.ReleaseCreditNote(new ReleaseCreditNoteModel { Id = recordId, Seq = 1, Restock = true, Quantities = { [tea.Line] = 1m } });
        Assert.True(await PollUntilAsync(store, () => PostedCreditNote(store, 128) is not null),
            $"no credit note; record {Record(store, 128)}; log:\n{store.Logger.AllText}");
        Assert.Equal((10012801L, 7.50m), (PostedCreditNote(store, 128)!.Posted!.Number, PostedCreditNote(store, 128)!.Posted!.Amount));
        var release = EventDocuments(store, 128).Single(d => (string?)d["Kind"] == "CreditNoteRelease");
        Assert.Equal(tea.Line, (int)release["Items"]![0]!["Line"]!);

        // a second release of the same (now posted) credit note is refused with the engine's reason
        await controller.ReleaseCreditNote(new ReleaseCreditNoteModel { Id = recordId, Seq = 1 });
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Error" && n.Message.Contains("only a held or failed one"));
    }

    [Fact]
    public async Task A_held_partial_refund_is_itemised_from_the_order_page()
    {
        await using var store = await SandboxStoreAsync(s => s.HoldPartialRefunds = true);
        var order = SampleOrders.SeedZeroRatedOrder(store, 131, paymentStatus: PaymentStatus.Paid);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => RecordOrNull(store, 131)?.State == "Synced"));
        order.RefundedAmount = 7.50m;
        order.PaymentStatus = PaymentStatus.PartiallyRefunded;
        await store.PublishAsync(new OrderRefundedEvent(order, 7.50m));
        Assert.Equal("Held", Record(store, 131).CreditNotes!.Single().State);

        await using var scope = store.Scope();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        // nopCommerce's order page renders the widget zone with its OrderModel (a BaseNopEntityModel)
        var block = await OrderBlock(factory, new OrderPageModel { Id = 131 }, "/Admin/Order/Edit/131");
        var view = Assert.IsType<ViewViewComponentResult>(block);
        Assert.Equal(OrderKashFlowViewComponent.ViewPath, view.ViewName);
        var model = Assert.IsType<SyncRecordDetailModel>(view.ViewData!.Model);
        Assert.Equal(("/Admin/Order/Edit/131", 131L), (model.ReturnUrl, model.Record.OrderId));
        Assert.Equal("Held", Assert.Single(model.Record.CreditNoteList).State);
        var tea = Assert.Single(model.InvoiceLines, l => l.ProductCode == "TEA-TIN");

        // the form posts back and returns to the order page
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var back = await controller.ReleaseCreditNote(new ReleaseCreditNoteModel
        {
            Id = model.Record.Id, Seq = 1, Quantities = { [tea.Line] = 1m }, ReturnUrl = model.ReturnUrl,
        });
        Assert.Equal("/Admin/Order/Edit/131", Assert.IsType<LocalRedirectResult>(back).Url);
        Assert.True(await PollUntilAsync(store, () => PostedCreditNote(store, 131) is not null),
            $"no credit note; record {Record(store, 131)}; log:\n{store.Logger.AllText}");

        // an order the engine has never seen, or a zone without an order, renders nothing
        Assert.IsType<ContentViewComponentResult>(await OrderBlock(factory, new OrderPageModel { Id = 999 }, "/Admin/Order/Edit/999"));
        Assert.IsType<ContentViewComponentResult>(await OrderBlock(factory, "not an order", "/Admin/Order/Edit/1"));
        // only this site's paths are followed back
        Assert.False(KashFlowAdminController.IsLocalPath("//evil.example/x"));
        Assert.False(KashFlowAdminController.IsLocalPath("https://evil.example/x"));
        Assert.False(KashFlowAdminController.IsLocalPath("/\\evil.example"));
        Assert.True(KashFlowAdminController.IsLocalPath("/Admin/Order/Edit/5"));
    }

    private sealed record OrderPageModel : Nop.Web.Framework.Models.BaseNopEntityModel;

    private static async Task<IViewComponentResult> OrderBlock(KashFlowModelFactory factory, object additionalData, string path)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        var component = new OrderKashFlowViewComponent(factory)
        {
            ViewComponentContext = new ViewComponentContext { ViewContext = new ViewContext { HttpContext = http } },
        };
        return await component.InvokeAsync(AdminWidgetZones.OrderDetailsBlock, additionalData);
    }

    [Fact]
    public async Task The_memorable_word_is_not_blanked_out_of_paths_in_the_log()
    {
        // The sandbox's memorable word is "kashflow", which is also in the journal's file name: the
        // log used to read ".../App_Data/KashFlow/***-sync.sqlite". Secrets stay out of the log by
        // type now (the engine's Secret), not by blanking every substring of every line.
        await using var store = await SandboxStoreAsync();
        Assert.True(await PollUntilAsync(store, () => store.Logger.AllText.Contains("engine started", StringComparison.Ordinal)), store.Logger.AllText);
        Assert.Contains(KashFlowDefaults.JournalFileName, store.Logger.AllText);
        Assert.DoesNotContain("***", store.Logger.AllText);
        Assert.DoesNotContain(SandboxPassword, store.Logger.AllText);
    }

    [Fact]
    public async Task Cancelling_before_the_invoice_is_posted_sends_nothing()
    {
        await using var store = await UnreachableStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 130);
        await store.PublishAsync(new OrderPlacedEvent(order));
        order.OrderStatus = OrderStatus.Cancelled;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Pending));
        Assert.True(await PollUntilAsync(store, () => Record(store, 130).State == "Cancelled"), $"record {Record(store, 130)}");
        Assert.Null(Record(store, 130).InvoiceNumber);
    }

    private static async Task<TestStore> UnreachableStoreAsync()
    {
        var port = ClosedPort();
        var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Live; s.BaseUrl = $"https://127.0.0.1:{port}"; s.TimeoutSeconds = 2; },
            "user", "live-secret-pw", "live-secret-word");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        return store;
    }

    [Fact]
    public async Task Checkout_never_waits_for_an_unreachable_kashflow()
    {
        // Live mode against a 127.0.0.1 port nobody listens on
        await using var store = await UnreachableStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 126);

        await store.PublishAsync(new OrderPlacedEvent(order)); // returns at once: checkout hands the snapshot off in memory
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10))); // the hand-off's writer journals it
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.Contains(Record(store, 126).State, new[] { "Pending", "InFlight", "Retrying" });
        Assert.Equal(OrderStatus.Pending, store.Orders.Orders[126].OrderStatus);

        Assert.True(await PollUntilAsync(store, () => Record(store, 126).State is "Retrying" or "Failed"));
        Assert.NotNull(Record(store, 126).LastError);
        Assert.DoesNotContain("live-secret-pw", store.Logger.AllText);
        Assert.DoesNotContain("live-secret-word", store.Logger.AllText);
    }

    [Fact]
    public async Task Wrong_credentials_do_not_reach_checkout_and_are_reported_without_secrets()
    {
        // a sandbox KashFlow with its own login: the in-process one of another engine, used over HTTP
        await using var kashflow = await SandboxStoreAsync();
        var report = EngineDocuments.ParseConnectionReport(await kashflow.Host.Engine!.TestConnectionAsync());
        Assert.True(report.Ok, report.Message);
        using var reportDoc = System.Text.Json.JsonDocument.Parse(await kashflow.Host.Engine!.TestConnectionAsync());
        var sandboxUrl = reportDoc.RootElement.GetProperty("BaseUrl").GetString();
        Assert.StartsWith("http://127.0.0.1:", sandboxUrl);

        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; s.BaseUrl = sandboxUrl; },
            SandboxUser, "not-the-sandbox-password", SandboxWord);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var order = SampleOrders.SeedZeroRatedOrder(store, 127);
        await store.PublishAsync(new OrderPlacedEvent(order)); // returns at once: enqueue is local
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10))); // the hand-off's writer journals it

        // KashFlow refuses the login: the order waits (no retry storm that would lock the account)
        Assert.True(await PollUntilAsync(store, () => Record(store, 127).LastError is not null), $"record {Record(store, 127)}");
        var record = Record(store, 127);
        Assert.NotEqual("Synced", record.State);
        Assert.Null(record.InvoiceNumber);
        Assert.Equal(OrderStatus.Pending, store.Orders.Orders[127].OrderStatus);
        Assert.DoesNotContain("not-the-sandbox-password", record.LastError?.ToString());
        Assert.DoesNotContain("not-the-sandbox-password", store.Logger.AllText);
        Assert.DoesNotContain("not-the-sandbox-password", store.Host.Engine!.RecordDetailJson(record.RecordId));
    }

    [Fact]
    public async Task Stock_levels_come_from_kashflow_with_the_plugins_message()
    {
        await using var store = await SandboxStoreAsync();
        var mug = SampleOrders.SeedProduct(store, 11, "MUG-CLASSIC", "Classic Mug", 100); // sandbox seed: 120
        var wrap = SampleOrders.SeedProduct(store, 12, "GIFT-WRAP", "Gift Wrapping", 0, manageStock: false);

        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowSyncTask>().ExecuteAsync(); // the schedule task asks for a pull

        Assert.True(await PollUntilAsync(store, () => mug.StockQuantity == 120), $"stock {mug.StockQuantity}; log:\n{store.Logger.AllText}");
        var adjustment = Assert.Single(store.Products.Adjustments, a => a.ProductId == 11);
        Assert.Equal(20, adjustment.Delta);
        Assert.StartsWith(KashFlowDefaults.StockMessagePrefix, adjustment.Message);
        Assert.Equal(0, wrap.StockQuantity);
    }

    [Fact]
    public async Task Spooled_orders_are_handed_to_the_engine_when_it_starts()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, SandboxUser, SandboxPassword, SandboxWord);
        var order = SampleOrders.SeedZeroRatedOrder(store, 128);
        await store.PublishAsync(new OrderPlacedEvent(order)); // engine not started yet
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10))); // the hand-off's writer journals it
        Assert.Single(store.Host.Spool.List());

        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.Equal(128, Record(store, 128).OrderId);
        Assert.True(await PollUntilAsync(store, () => store.Orders.Orders[128].OrderStatus == OrderStatus.Processing));
    }

    [Fact]
    public async Task The_admin_sees_records_previews_and_can_retry()
    {
        await using var store = await SandboxStoreAsync();
        foreach (var (key, value) in KashFlowLocales.All)
            store.Localization.Resources[key] = value;
        var order = SampleOrders.SeedZeroRatedOrder(store, 129);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => store.Orders.Orders[129].OrderStatus == OrderStatus.Processing));

        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var list = Assert.IsType<SyncRecordListModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.JsonResult>(
            await controller.SyncRecordList(new SyncRecordSearchModel { SearchOrderNumber = "129", Length = 10, Draw = "3" })).Value);
        Assert.Equal("3", list.Draw);
        var row = Assert.Single(list.Data);
        Assert.Equal(129, row.OrderId);

        var detail = Assert.IsType<SyncRecordDetailModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.RecordDetail(row.Id)).Model);
        Assert.Equal(row.Id, detail.Record.Id);
        // the record page reads as a story: placed → received → each KashFlow call → where it is now
        Assert.Equal("Posted", row.StateText);
        Assert.Equal(KashFlowLocales.All[KashFlowLocales.TimelinePlaced], detail.Timeline[0].Title);
        var post = Assert.Single(detail.Timeline, e => e.Title.StartsWith("Post the invoice to KashFlow: done", StringComparison.Ordinal));
        Assert.NotEmpty(post.Calls);
        Assert.All(post.Calls, c => Assert.Contains("→", c));
        Assert.StartsWith("Now: Posted, KashFlow invoice " + detail.Record.InvoiceNumber, detail.Timeline[^1].Title);
        // and the invoice as KashFlow shows it, its JSON one click away
        var invoice = detail.Invoice!;
        Assert.Equal(detail.Record.InvoiceNumber, invoice.Number);
        Assert.Contains(invoice.Lines, l => l.ProductCode == "BOOK-UK-COOK");
        Assert.Equal(invoice.GrossTotal, (decimal.Parse(invoice.NetTotal!, System.Globalization.CultureInfo.InvariantCulture)
            + decimal.Parse(invoice.VatTotal!, System.Globalization.CultureInfo.InvariantCulture)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEmpty(invoice.VatByRate);
        Assert.Contains("LineItems", invoice.Json);
        Assert.DoesNotContain(KashFlowDefaults.LocalePrefix + ".", System.Text.Json.JsonSerializer.Serialize(detail.Timeline) + System.Text.Json.JsonSerializer.Serialize(invoice));

        var preview = Assert.IsType<PreviewModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.Preview("129")).Model);
        Assert.Null(preview.Error);
        Assert.True(preview.PreviewOk, string.Join("; ", preview.Problems));
        Assert.NotNull(preview.PreviewJson);
        Assert.Contains("BOOK-UK-COOK", preview.PreviewJson);
        Assert.NotEmpty(preview.Lines);
        // the preview lays the invoice out as the record page does
        Assert.Equal(preview.Invoice!.Lines.Count, preview.Lines.Count);
        Assert.Contains(preview.Invoice.Lines, l => l.ProductCode == "BOOK-UK-COOK");
        Assert.Equal(detail.Invoice!.GrossTotal, preview.Invoice.GrossTotal);

        var report = await controller.TestConnectionCoreAsync(CancellationToken.None);
        Assert.True(report.Ok, report.Message);
        Assert.DoesNotContain(SandboxPassword, report.Message);
        Assert.NotNull(report.Facts);
        Assert.Null(report.ErrorCode);

        Assert.IsType<Microsoft.AspNetCore.Mvc.RedirectToActionResult>(await controller.RetryAllFailed());
        Assert.IsType<Microsoft.AspNetCore.Mvc.RedirectToActionResult>(await controller.Resync("129"));
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Success");
    }

    [Fact]
    public void The_native_library_is_found_under_native_rid_by_the_one_resolver_of_the_native_assembly()
    {
        Assert.Null(Environment.GetEnvironmentVariable("KASHFLOW_SYNC_NATIVE_PATH"));
        var nativeAssembly = typeof(KashFlowEngine).Assembly;
        // linux-x64 here, win-x64 in the Windows run under wine (where native/linux-x64/ sits beside it)
        var (rid, file) = OperatingSystem.IsWindows() ? ("win-x64", "kashflow_sync_native.dll") : ("linux-x64", "libkashflow_sync_native.so");
        var expected = Path.Combine(Path.GetDirectoryName(nativeAssembly.Location)!, "native", rid, file);
        Assert.True(File.Exists(expected), expected);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(nativeAssembly.Location)!, file)));

        Assert.False(string.IsNullOrEmpty(KashFlowEngine.NativeVersion));
        var loadedFrom = (string?)nativeAssembly.GetType("Nop.Plugin.Misc.KashFlow.Native.NativeLibraryResolver")!
            .GetProperty("LoadedFrom", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        Assert.Equal(expected, loadedFrom);

        // exactly one resolver, the native assembly's own: a second registration is refused
        Assert.Throws<InvalidOperationException>(() => NativeLibrary.SetDllImportResolver(nativeAssembly, (_, _, _) => IntPtr.Zero));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
