// The order snapshot document (SchemaVersion 1) the plugin hands to the engine: nopCommerce's own
// field names and meanings (PascalCase), every amount in the primary store currency as nopCommerce
// stores it. The contract is core/src/order/snapshot.rs (JSON Schema core/schema/order-snapshot.v1
// .schema.json); the engine rejects unknown members, so this type has exactly its members.
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

public sealed record OrderSnapshot
{
    public int SchemaVersion { get; init; } = 1;
    public int Id { get; init; }
    public string CustomOrderNumber { get; init; } = string.Empty;
    public string OrderGuid { get; init; } = string.Empty;
    public int StoreId { get; init; }

    /// <summary>The store's name, for flow conditions on the store; left out when unknown (older engines never see it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StoreName { get; init; }
    public DateTime CreatedOnUtc { get; init; }
    public string PrimaryStoreCurrencyCode { get; init; } = string.Empty;
    public string CustomerCurrencyCode { get; init; } = string.Empty;
    public decimal CurrencyRate { get; init; }
    public decimal OrderSubtotalInclTax { get; init; }
    public decimal OrderSubtotalExclTax { get; init; }
    public decimal OrderSubTotalDiscountInclTax { get; init; }
    public decimal OrderSubTotalDiscountExclTax { get; init; }
    public decimal OrderShippingInclTax { get; init; }
    public decimal OrderShippingExclTax { get; init; }
    public decimal PaymentMethodAdditionalFeeInclTax { get; init; }
    public decimal PaymentMethodAdditionalFeeExclTax { get; init; }
    public decimal OrderTax { get; init; }
    public string TaxRates { get; init; } = string.Empty;
    public decimal OrderDiscount { get; init; }
    public decimal OrderTotal { get; init; }
    public decimal RefundedAmount { get; init; }
    public string PaymentMethodSystemName { get; init; } = string.Empty;
    public string OrderStatus { get; init; } = string.Empty;
    public string PaymentStatus { get; init; } = string.Empty;
    public DateTime? PaidDateUtc { get; init; }
    public string? VatNumber { get; init; }
    public string CustomerTaxDisplayType { get; init; } = string.Empty;
    public string? ShippingMethod { get; init; }

    /// <summary>The priced checkout attributes' text; the engine posts the subtotal's excess over the items as one line.</summary>
    public string? CheckoutAttributeDescription { get; init; }
    public required OrderSnapshotCustomer Customer { get; init; }

    /// <summary>The system names of the customer's roles when the order was placed, for flow conditions; left out when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? CustomerRoles { get; init; }
    public required OrderSnapshotAddress BillingAddress { get; init; }
    public OrderSnapshotAddress? ShippingAddress { get; init; }
    public required IReadOnlyList<OrderSnapshotItem> Items { get; init; }
    public IReadOnlyList<decimal> GiftCardUsage { get; init; } = [];
    public decimal RedeemedRewardPointsAmount { get; init; }
}

public sealed record OrderSnapshotItem
{
    public int ProductId { get; init; }
    public string? Sku { get; init; }
    public string Name { get; init; } = string.Empty;
    public int Quantity { get; init; }
    public decimal UnitPriceInclTax { get; init; }
    public decimal UnitPriceExclTax { get; init; }
    public decimal PriceInclTax { get; init; }
    public decimal PriceExclTax { get; init; }
    public decimal DiscountAmountInclTax { get; init; }
    public decimal DiscountAmountExclTax { get; init; }
    public string? AttributeDescription { get; init; }

    /// <summary>The names of the product's categories, for flow conditions; left out when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Categories { get; init; }
}

public sealed record OrderSnapshotCustomer
{
    public int Id { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public bool IsGuest { get; init; }
}

public sealed record OrderSnapshotAddress
{
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public string? Email { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? City { get; init; }
    public string? County { get; init; }
    public string? StateProvinceAbbreviation { get; init; }
    public string? ZipPostalCode { get; init; }
    public string? CountryTwoLetterIsoCode { get; init; }
    public string? PhoneNumber { get; init; }
}

/// <summary>Source-generated serialisation: no reflection on the checkout path.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(OrderSnapshot))]
internal partial class SnapshotJsonContext : JsonSerializerContext;
