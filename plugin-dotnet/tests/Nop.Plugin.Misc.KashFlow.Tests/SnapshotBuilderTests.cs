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
}
