// The event documents of the flow triggers the plugin adds (the flows contract of issue 20), sent
// through kfs_engine_enqueue_event like the order events of EventDocuments.cs: an order's shipment,
// delivery or completion ({"Kind","OrderId","OccurredOnUtc"}), a customer registered or changed (the
// customer as a KashFlow customer needs it: names, e-mail, company, VAT number, billing address, roles),
// and a product created or changed (SKU, name, price, VAT category, published).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

/// <summary>OrderShipped / OrderDelivered / OrderCompleted.</summary>
public sealed record OrderLifecycleDocument(string Kind, int OrderId, DateTime OccurredOnUtc)
{
    public string ToJson() => JsonSerializer.Serialize(this with { OccurredOnUtc = DateTime.SpecifyKind(OccurredOnUtc, DateTimeKind.Utc) },
        FlowEventJsonContext.Default.OrderLifecycleDocument);
}

/// <summary>CustomerChanged: <see cref="Registered"/> true when the customer has just registered.</summary>
public sealed record CustomerChangedDocument(bool Registered, FlowCustomer Customer)
{
    public string Kind => FlowNames.CustomerChanged;

    public string ToJson() => JsonSerializer.Serialize(this, FlowEventJsonContext.Default.CustomerChangedDocument);
}

public sealed record FlowCustomer
{
    public int CustomerId { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public string? VatNumber { get; init; }
    public OrderSnapshotAddress? BillingAddress { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
}

/// <summary>ProductChanged: a product created or changed in the catalogue.</summary>
public sealed record ProductChangedDocument(FlowProduct Product)
{
    public string Kind => FlowNames.ProductChanged;

    public string ToJson() => JsonSerializer.Serialize(this, FlowEventJsonContext.Default.ProductChangedDocument);
}

public sealed record FlowProduct
{
    public int ProductId { get; init; }
    public string? Sku { get; init; }
    public string Name { get; init; } = string.Empty;

    /// <summary>Product.Price, in the primary store currency, as the catalogue holds it.</summary>
    public decimal Price { get; init; }
    public string? TaxCategoryName { get; init; }
    public bool Published { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OrderLifecycleDocument))]
[JsonSerializable(typeof(CustomerChangedDocument))]
[JsonSerializable(typeof(ProductChangedDocument))]
internal sealed partial class FlowEventJsonContext : JsonSerializerContext;
