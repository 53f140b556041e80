// Seeds the fake nopCommerce with the order a golden snapshot fixture describes (core/fixtures/orders):
// the reverse of the snapshot builder, so building the snapshot again must give the fixture back.
using System.Globalization;
using System.Text.Json.Nodes;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Tax;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public static class FixtureOrders
{
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cargo.toml")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Cargo.toml) not found above the test output");
    }

    public static string FixtureDirectory => Path.Combine(RepositoryRoot(), "core", "fixtures", "orders");

    public static IEnumerable<string> Files() =>
        Directory.Exists(FixtureDirectory)
            ? Directory.GetFiles(FixtureDirectory, "*.json").Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];

    public static Order Seed(TestStore store, JsonObject s)
    {
        var orderId = Int(s["Id"]);
        var customer = (JsonObject)s["Customer"]!;
        var customerId = Int(customer["Id"]);
        store.Customers.Customers[customerId] = new Customer
        {
            Id = customerId,
            Email = Str(customer["Email"]),
            FirstName = Str(customer["FirstName"]),
            LastName = Str(customer["LastName"]),
            Company = Str(customer["Company"]),
        };
        if (customer["IsGuest"]?.GetValue<bool>() == true)
            store.Customers.Guests.Add(customerId);

        var currencyId = store.Currencies.Currencies.Count + 1;
        store.Currencies.Currencies[currencyId] = new Currency { Id = currencyId, CurrencyCode = Str(s["PrimaryStoreCurrencyCode"]) };
        store.Settings.SaveSettingAsync(new CurrencySettings { PrimaryStoreCurrencyId = currencyId }).GetAwaiter().GetResult();

        var order = new Order
        {
            Id = orderId,
            CustomOrderNumber = Str(s["CustomOrderNumber"]),
            OrderGuid = Guid.Parse(Str(s["OrderGuid"])!),
            StoreId = Int(s["StoreId"]),
            CustomerId = customerId,
            CreatedOnUtc = Date(s["CreatedOnUtc"])!.Value,
            CustomerCurrencyCode = Str(s["CustomerCurrencyCode"]),
            CurrencyRate = Dec(s["CurrencyRate"]),
            OrderSubtotalInclTax = Dec(s["OrderSubtotalInclTax"]),
            OrderSubtotalExclTax = Dec(s["OrderSubtotalExclTax"]),
            OrderSubTotalDiscountInclTax = Dec(s["OrderSubTotalDiscountInclTax"]),
            OrderSubTotalDiscountExclTax = Dec(s["OrderSubTotalDiscountExclTax"]),
            OrderShippingInclTax = Dec(s["OrderShippingInclTax"]),
            OrderShippingExclTax = Dec(s["OrderShippingExclTax"]),
            PaymentMethodAdditionalFeeInclTax = Dec(s["PaymentMethodAdditionalFeeInclTax"]),
            PaymentMethodAdditionalFeeExclTax = Dec(s["PaymentMethodAdditionalFeeExclTax"]),
            OrderTax = Dec(s["OrderTax"]),
            TaxRates = Str(s["TaxRates"]),
            OrderDiscount = Dec(s["OrderDiscount"]),
            OrderTotal = Dec(s["OrderTotal"]),
            RefundedAmount = Dec(s["RefundedAmount"]),
            PaymentMethodSystemName = Str(s["PaymentMethodSystemName"]),
            OrderStatus = Enum.Parse<OrderStatus>(Str(s["OrderStatus"])!),
            PaymentStatus = Enum.Parse<PaymentStatus>(Str(s["PaymentStatus"])!),
            PaidDateUtc = Date(s["PaidDateUtc"]),
            VatNumber = Str(s["VatNumber"]),
            CustomerTaxDisplayType = Enum.Parse<TaxDisplayType>(Str(s["CustomerTaxDisplayType"])!),
            ShippingMethod = Str(s["ShippingMethod"]),
            CheckoutAttributeDescription = Str(s["CheckoutAttributeDescription"]),
            BillingAddressId = SeedAddress(store, (JsonObject)s["BillingAddress"]!),
            ShippingAddressId = s["ShippingAddress"] is JsonObject shipping ? SeedAddress(store, shipping) : null,
        };

        var items = new List<OrderItem>();
        foreach (var item in ((JsonArray)s["Items"]!).OfType<JsonObject>())
        {
            var productId = Int(item["ProductId"]);
            store.Products.Products.TryAdd(productId, new Product { Id = productId, Sku = Str(item["Sku"]), Name = Str(item["Name"]), ManageInventoryMethod = ManageInventoryMethod.ManageStock });
            items.Add(new OrderItem
            {
                Id = 1000 * orderId + items.Count + 1,
                OrderId = orderId,
                ProductId = productId,
                Quantity = Int(item["Quantity"]),
                UnitPriceInclTax = Dec(item["UnitPriceInclTax"]),
                UnitPriceExclTax = Dec(item["UnitPriceExclTax"]),
                PriceInclTax = Dec(item["PriceInclTax"]),
                PriceExclTax = Dec(item["PriceExclTax"]),
                DiscountAmountInclTax = Dec(item["DiscountAmountInclTax"]),
                DiscountAmountExclTax = Dec(item["DiscountAmountExclTax"]),
                AttributeDescription = Str(item["AttributeDescription"]),
            });
        }
        store.Orders.Items[orderId] = items;

        foreach (var used in (s["GiftCardUsage"] as JsonArray ?? []))
            store.GiftCards.Usage.Add(new GiftCardUsageHistory { Id = store.GiftCards.Usage.Count + 1, UsedWithOrderId = orderId, UsedValue = Dec(used) });
        var points = s["RedeemedRewardPointsAmount"] is { } p ? Dec(p) : 0m;
        if (points != 0m)
        {
            var entryId = store.RewardPoints.Entries.Count + 1;
            store.RewardPoints.Entries[entryId] = new RewardPointsHistory { Id = entryId, UsedAmount = points };
            order.RedeemedRewardPointsEntryId = entryId;
        }
        store.Orders.Orders[orderId] = order;
        return order;
    }

    private static int SeedAddress(TestStore store, JsonObject a)
    {
        var id = store.Addresses.Addresses.Count + 1;
        int? countryId = null, stateId = null;
        if (Str(a["CountryTwoLetterIsoCode"]) is { } iso)
        {
            countryId = store.Countries.Countries.Values.FirstOrDefault(c => c.TwoLetterIsoCode == iso)?.Id ?? store.Countries.Countries.Count + 1;
            store.Countries.Countries.TryAdd(countryId.Value, new Country { Id = countryId.Value, TwoLetterIsoCode = iso });
        }
        if (Str(a["StateProvinceAbbreviation"]) is { } abbreviation)
        {
            stateId = store.States.States.Values.FirstOrDefault(st => st.Abbreviation == abbreviation)?.Id ?? store.States.States.Count + 1;
            store.States.States.TryAdd(stateId.Value, new StateProvince { Id = stateId.Value, Abbreviation = abbreviation });
        }
        store.Addresses.Addresses[id] = new Address
        {
            Id = id,
            FirstName = Str(a["FirstName"]),
            LastName = Str(a["LastName"]),
            Company = Str(a["Company"]),
            Email = Str(a["Email"]),
            Address1 = Str(a["Address1"]),
            Address2 = Str(a["Address2"]),
            City = Str(a["City"]),
            County = Str(a["County"]),
            ZipPostalCode = Str(a["ZipPostalCode"]),
            PhoneNumber = Str(a["PhoneNumber"]),
            CountryId = countryId,
            StateProvinceId = stateId,
        };
        return id;
    }

    private static string? Str(JsonNode? n) => n?.GetValue<string>();
    private static int Int(JsonNode? n) => (int)decimal.Parse(n!.ToJsonString().Trim('"'), CultureInfo.InvariantCulture);
    private static decimal Dec(JsonNode? n) => n is null ? 0m : decimal.Parse(n.ToJsonString().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture);
    private static DateTime? Date(JsonNode? n) => n is null ? null :
        DateTime.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
