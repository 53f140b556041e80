// Orders as nopCommerce would store them after checkout, seeded into the fakes. Prices use the sandbox
// seed catalogue (core/src/kashflow/sandbox/seed.rs) so the engine maps them without overrides.
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Tax;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public static class SampleOrders
{
    public const int UnitedKingdomId = 77;
    public const int EnglandStateId = 400;

    public static void SeedDirectory(TestStore store)
    {
        store.Countries.Countries[UnitedKingdomId] = new Country { Id = UnitedKingdomId, TwoLetterIsoCode = "GB" };
        store.States.States[EnglandStateId] = new StateProvince { Id = EnglandStateId, Abbreviation = "ENG" };
    }

    public static Product SeedProduct(TestStore store, int id, string sku, string name, int stock, bool manageStock = true)
    {
        var product = new Product
        {
            Id = id,
            Sku = sku,
            Name = name,
            StockQuantity = stock,
            ManageInventoryMethod = manageStock ? ManageInventoryMethod.ManageStock : ManageInventoryMethod.DontManageStock,
        };
        store.Products.Products[id] = product;
        return product;
    }

    /// <summary>
    /// A UK customer buys zero-rated goods (1 × "The British Cookbook" 18.00 and 2 × "Loose Leaf Tea Tin"
    /// 7.50): subtotal 33.00, no VAT, no shipping, total 33.00, paid by Payments.Manual.
    /// </summary>
    public static Order SeedZeroRatedOrder(TestStore store, int orderId, int customerId = 45, PaymentStatus paymentStatus = PaymentStatus.Pending)
    {
        SeedDirectory(store);
        var book = store.Products.Products.Values.FirstOrDefault(p => p.Sku == "BOOK-UK-COOK") ?? SeedProduct(store, 501, "BOOK-UK-COOK", "The British Cookbook", 30);
        var tea = store.Products.Products.Values.FirstOrDefault(p => p.Sku == "TEA-TIN") ?? SeedProduct(store, 502, "TEA-TIN", "Loose Leaf Tea Tin", 80);

        store.Customers.Customers[customerId] = new Customer
        {
            Id = customerId,
            Email = $"customer{customerId}@example.co.uk",
            FirstName = "Ada",
            LastName = "Lovelace",
        };
        var billingId = orderId * 10 + 1;
        store.Addresses.Addresses[billingId] = new Address
        {
            Id = billingId,
            FirstName = "Ada",
            LastName = "Lovelace",
            Email = $"customer{customerId}@example.co.uk",
            Address1 = "12 Analytical Row",
            City = "London",
            ZipPostalCode = "SW1A 1AA",
            CountryId = UnitedKingdomId,
            StateProvinceId = EnglandStateId,
            PhoneNumber = "020 7946 0000",
        };

        var order = new Order
        {
            Id = orderId,
            OrderGuid = new Guid($"10000000-0000-0000-0000-{orderId:D12}"),
            CustomOrderNumber = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            StoreId = 1,
            CustomerId = customerId,
            BillingAddressId = billingId,
            ShippingAddressId = billingId,
            OrderStatus = OrderStatus.Pending,
            PaymentStatus = paymentStatus,
            PaymentMethodSystemName = "Payments.Manual",
            CustomerCurrencyCode = "GBP",
            CurrencyRate = 1m,
            CustomerTaxDisplayType = TaxDisplayType.IncludingTax,
            OrderSubtotalInclTax = 33.00m,
            OrderSubtotalExclTax = 33.00m,
            TaxRates = "0:0;   ",
            OrderTax = 0m,
            OrderTotal = 33.00m,
            ShippingMethod = "Ground",
            CreatedOnUtc = new DateTime(2026, 5, 1, 9, 30, 0, DateTimeKind.Utc),
            PaidDateUtc = paymentStatus == PaymentStatus.Paid ? new DateTime(2026, 5, 1, 9, 31, 0, DateTimeKind.Utc) : null,
        };
        store.Orders.Orders[orderId] = order;
        store.Orders.Items[orderId] =
        [
            Item(orderId * 100 + 1, orderId, book.Id, 1, 18.00m),
            Item(orderId * 100 + 2, orderId, tea.Id, 2, 7.50m),
        ];
        return order;
    }

    private static OrderItem Item(int id, int orderId, int productId, int quantity, decimal unit) => new()
    {
        Id = id,
        OrderId = orderId,
        ProductId = productId,
        Quantity = quantity,
        UnitPriceInclTax = unit,
        UnitPriceExclTax = unit,
        PriceInclTax = unit * quantity,
        PriceExclTax = unit * quantity,
    };
}
