using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

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
    private static RecordRow Record(TestStore store, long orderId) =>
        Assert.Single(EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(), 1, 50).ToJson())).Items,
            r => r.OrderId == orderId);

    private static System.Text.Json.Nodes.JsonObject Detail(TestStore store, long orderId) =>
        (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(store.Host.Engine!.RecordDetailJson(Record(store, orderId).RecordId))!;

    private static IEnumerable<(string Kind, string State)> Jobs(TestStore store, long orderId) =>
        (Detail(store, orderId)["Jobs"] as System.Text.Json.Nodes.JsonArray ?? [])
            .OfType<System.Text.Json.Nodes.JsonObject>()
            .Select(j => (j["Kind"]!.GetValue<string>(), j["State"]!.GetValue<string>()));

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
        var events = Detail(store, 124)["Events"]!.AsArray().Select(e => e!["Kind"]!.GetValue<string>());
        Assert.Contains("OrderPaid", events);
    }

    [Fact]
    public async Task Cancelling_an_invoiced_order_flags_it_for_a_credit_note()
    {
        await using var store = await SandboxStoreAsync();
        var order = SampleOrders.SeedZeroRatedOrder(store, 125);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await PollUntilAsync(store, () => store.Orders.Orders[125].OrderStatus == OrderStatus.Processing));

        order.OrderStatus = OrderStatus.Cancelled;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Processing));
        Assert.True(await PollUntilAsync(store, () => Record(store, 125).NeedsCreditNote), $"cancellation not recorded; log:\n{store.Logger.AllText}");
        Assert.Equal(OrderStatus.Cancelled, store.Orders.Orders[125].OrderStatus); // never moved back by KashFlow
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
        Assert.DoesNotContain("not-the-sandbox-password", record.LastError);
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

        var preview = Assert.IsType<PreviewModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.Preview("129")).Model);
        Assert.Null(preview.Error);
        Assert.True(preview.PreviewOk, string.Join("; ", preview.Problems));
        Assert.NotNull(preview.PreviewJson);
        Assert.Contains("BOOK-UK-COOK", preview.PreviewJson);
        Assert.NotEmpty(preview.Lines);

        var (ok, message) = await controller.TestConnectionCoreAsync(CancellationToken.None);
        Assert.True(ok, message);
        Assert.DoesNotContain(SandboxPassword, message);

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
