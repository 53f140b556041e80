using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class SnapshotBuilderTests
{
    [Fact]
    public async Task The_snapshot_carries_order_items_customer_and_addresses_with_codes()
    {
        await using var store = new TestStore();
        var order = SampleOrders.SeedZeroRatedOrder(store, 123);
        await using var scope = store.Scope();
        var json = await scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("SchemaVersion").GetInt32());
        var o = root;
        Assert.Equal("GBP", o.GetProperty("PrimaryStoreCurrencyCode").GetString());
        Assert.False(root.GetProperty("Customer").GetProperty("IsGuest").GetBoolean());
        Assert.Equal(123, o.GetProperty("Id").GetInt32());
        Assert.Equal("Payments.Manual", o.GetProperty("PaymentMethodSystemName").GetString());
        Assert.Equal(33.00m, o.GetProperty("OrderTotal").GetDecimal());
        Assert.Equal("2026-05-01T09:30:00Z", o.GetProperty("CreatedOnUtc").GetString());
        var items = root.GetProperty("Items").EnumerateArray().ToList();
        Assert.Equal(["BOOK-UK-COOK", "TEA-TIN"], items.Select(i => i.GetProperty("Sku").GetString()));
        Assert.Equal("Loose Leaf Tea Tin", items[1].GetProperty("Name").GetString());
        Assert.Equal(15.00m, items[1].GetProperty("PriceInclTax").GetDecimal());
        Assert.Equal("customer45@example.co.uk", root.GetProperty("Customer").GetProperty("Email").GetString());
        var billing = root.GetProperty("BillingAddress");
        Assert.Equal("GB", billing.GetProperty("CountryTwoLetterIsoCode").GetString());
        Assert.Equal("ENG", billing.GetProperty("StateProvinceAbbreviation").GetString());
        Assert.Empty(root.GetProperty("GiftCardUsage").EnumerateArray());
        Assert.Equal(0m, root.GetProperty("RedeemedRewardPointsAmount").GetDecimal());
    }

    [Fact]
    public async Task Priced_checkout_attributes_reach_the_invoice_as_one_line()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var order = SampleOrders.SeedZeroRatedOrder(store, 124);
        // a zero-rated gift message at £1.00: nopCommerce puts it in the subtotal and the total, on no item
        order.CheckoutAttributeDescription = "Gift message: Congratulations! [+£1.00]";
        order.OrderSubtotalInclTax += 1.00m;
        order.OrderSubtotalExclTax += 1.00m;
        order.OrderTotal += 1.00m;
        await using var scope = store.Scope();
        var json = await scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order);
        Assert.Equal(order.CheckoutAttributeDescription, JsonDocument.Parse(json).RootElement.GetProperty("CheckoutAttributeDescription").GetString());

        using var preview = JsonDocument.Parse(store.Host.Engine!.PreviewJson(json));
        Assert.True(preview.RootElement.GetProperty("Ok").GetBoolean(), preview.RootElement.ToString());
        var invoice = preview.RootElement.GetProperty("Invoice");
        var options = Assert.Single(invoice.GetProperty("Lines").EnumerateArray(), l => l.GetProperty("Kind").GetString() == "CheckoutOptions");
        Assert.StartsWith("Checkout options: Gift message: Congratulations!", options.GetProperty("Description").GetString());
        Assert.Equal(34.00m, invoice.GetProperty("GrossTotal").GetDecimal());
    }
}
