// A shop synced by the real native engine against its sandbox KashFlow (real HTTP on 127.0.0.1): an
// invoiced, paid order with a partial refund waiting to be itemised, and an order KashFlow refuses (a
// product it does not have). The sandbox samples take their models from the plugin's own controller,
// as a store's admin would get them: the engine's documents phrased by the plugin.
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.KashFlow;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace ViewRender.Samples;

public sealed class SandboxShop : IAsyncDisposable
{
    public const int InvoicedOrder = 100231;
    public const int RefusedOrder = 100229;

    public TestStore Store { get; }

    private readonly AsyncServiceScope _scope;

    private SandboxShop(TestStore store)
    {
        Store = store;
        _scope = store.Scope();
    }

    public KashFlowAdminController Admin => _scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();

    public long RecordId(int orderId) => Record(orderId)?.RecordId ?? throw new InvalidOperationException($"the journal has no record of order {orderId}");

    public static async Task<SandboxShop> StartAsync()
    {
        var store = new TestStore();
        var shop = new SandboxShop(store);
        try
        {
            foreach (var (key, value) in KashFlowLocales.All)
                store.Localization.Resources[key] = value;
            await store.ConfigureAsync(s =>
            {
                s.Enabled = true;
                s.Mode = KashFlowMode.Sandbox;
                s.Transport = KashFlowTransport.Soap;
                s.HoldPartialRefunds = true;
            }, "sandbox", "sandbox-password", "kashflow");
            if (!await store.Host.EnsureStartedAsync())
                throw new InvalidOperationException($"the sync engine did not start: {store.Host.LastStartError}");

            var paid = SampleOrders.SeedZeroRatedOrder(store, InvoicedOrder, customerId: 45, paymentStatus: PaymentStatus.Paid);
            await store.PublishAsync(new OrderPlacedEvent(paid));
            var refused = SampleOrders.SeedZeroRatedOrder(store, RefusedOrder, customerId: 77);
            SampleOrders.SeedProduct(store, 503, "MUG-BLUE-XL", "Blue mug, extra large", 5);
            store.Orders.Items[RefusedOrder][1].ProductId = 503;
            await store.PublishAsync(new OrderPlacedEvent(refused));
            await shop.UntilAsync(() => shop.Record(InvoicedOrder)?.State == "Synced" && shop.Record(RefusedOrder)?.State == "Failed",
                "order 100231 posted and order 100229 refused");

            // a partial refund: held for the admin to itemise (HoldPartialRefunds)
            paid.RefundedAmount = 7.50m;
            paid.PaymentStatus = PaymentStatus.PartiallyRefunded;
            await store.PublishAsync(new OrderRefundedEvent(paid, 7.50m));
            await shop.UntilAsync(() => shop.Record(InvoicedOrder)?.CreditNotes?.Any(c => c.State == EngineNames.JobHeld) == true,
                "the partial refund of order 100231 held");

            // "Read KashFlow's lists": the Configure page then offers names and suggestions
            if (await shop.Admin.ReadLookups() is not RedirectToActionResult)
                throw new InvalidOperationException($"reading KashFlow's lists failed; log:\n{store.Logger.AllText}");
            return shop;
        }
        catch
        {
            await shop.DisposeAsync();
            throw;
        }
    }

    private RecordSummary Record(int orderId) =>
        EngineDocuments.ParseRecordPage(Store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, 50).ToJson()))
            .Items.SingleOrDefault(r => r.OrderId == orderId);

    /// <summary>Applies the engine's outcomes until the condition holds (bounded, about 30 s).</summary>
    private async Task UntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Store.Poller.RunOnceAsync();
            if (!condition())
                await Task.Delay(100);
        }
        if (!condition())
            throw new TimeoutException($"the sandbox shop did not reach: {what}; log:\n{Store.Logger.AllText}");
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await Store.DisposeAsync();
    }
}
