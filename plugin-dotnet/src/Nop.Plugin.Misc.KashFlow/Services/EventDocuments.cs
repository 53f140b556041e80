// Event documents for the engine (contracts.md): OrderPaid, OrderCancelled, OrderRefunded.
// Amounts are in the primary store currency, like every amount in the snapshot.
using System.Text.Json;
using System.Text.Json.Serialization;
using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record OrderEventDocument
{
    public required string Kind { get; init; }
    public required int OrderId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Amount { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? PaidDateUtc { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PaymentMethodSystemName { get; init; }

    public static OrderEventDocument Paid(Order order) => new()
    {
        Kind = "OrderPaid",
        OrderId = order.Id,
        Amount = order.OrderTotal,
        PaidDateUtc = DateTime.SpecifyKind(order.PaidDateUtc ?? DateTime.UtcNow, DateTimeKind.Utc),
        PaymentMethodSystemName = string.IsNullOrEmpty(order.PaymentMethodSystemName) ? null : order.PaymentMethodSystemName,
    };

    public static OrderEventDocument Cancelled(Order order) => new() { Kind = "OrderCancelled", OrderId = order.Id };

    public static OrderEventDocument Refunded(Order order, decimal amount) => new() { Kind = "OrderRefunded", OrderId = order.Id, Amount = amount };

    public string ToJson() => JsonSerializer.Serialize(this, EventJsonContext.Default.OrderEventDocument);
}

[JsonSerializable(typeof(OrderEventDocument))]
internal partial class EventJsonContext : JsonSerializerContext;
