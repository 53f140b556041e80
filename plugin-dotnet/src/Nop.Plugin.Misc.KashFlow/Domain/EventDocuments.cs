// Event documents for the engine (core::engine::events::OrderEvent, core/src/engine/events.rs): OrderPaid, OrderCancelled, OrderVoided, OrderRefunded.
// Amounts are in the primary store currency, like every amount in the snapshot.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.KashFlow.Domain;

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

    /// <summary>OrderRefunded: when the refund was made (UTC); the credit note is dated on its UK date.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? RefundDateUtc { get; init; }

    /// <summary>OrderRefunded: marked as refunded by hand ("Refund (offline)"), not through the payment gateway.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Offline { get; init; }

    /// <summary>OrderRefunded: the order note nopCommerce wrote for the refund.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }

    /// <summary>OrderRefunded: the payment status after the refund (Refunded = the whole order).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PaymentStatus { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? VoidedDateUtc { get; init; }

    /// <summary>OrderCancelled: when it was cancelled (a credit note after invoicing is dated on its UK date).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? CancelledDateUtc { get; init; }

    /// <summary>A payment; dated <paramref name="nowUtc"/> when the order has no paid date.</summary>
    public static OrderEventDocument Paid(Order order, DateTime nowUtc) => new()
    {
        Kind = EngineNames.OrderPaid,
        OrderId = order.Id,
        Amount = order.OrderTotal,
        PaidDateUtc = DateTime.SpecifyKind(order.PaidDateUtc ?? nowUtc, DateTimeKind.Utc),
        PaymentMethodSystemName = string.IsNullOrEmpty(order.PaymentMethodSystemName) ? null : order.PaymentMethodSystemName,
    };

    public static OrderEventDocument Cancelled(Order order, DateTime cancelledUtc) => new()
    {
        Kind = EngineNames.OrderCancelled,
        OrderId = order.Id,
        CancelledDateUtc = DateTime.SpecifyKind(cancelledUtc, DateTimeKind.Utc),
    };

    public static OrderEventDocument Voided(Order order, DateTime voidedUtc) => new()
    {
        Kind = EngineNames.OrderVoided,
        OrderId = order.Id,
        VoidedDateUtc = DateTime.SpecifyKind(voidedUtc, DateTimeKind.Utc),
    };

    /// <summary>
    /// A refund of <paramref name="amount"/>; <paramref name="note"/> is nopCommerce's note for it, when found.
    /// <paramref name="paymentStatus"/>: the status right after this refund (the order's current one by default).
    /// </summary>
    public static OrderEventDocument Refunded(Order order, decimal amount, RefundNote? note, DateTime nowUtc, string? paymentStatus = null) => new()
    {
        Kind = EngineNames.OrderRefunded,
        OrderId = order.Id,
        Amount = amount,
        RefundDateUtc = DateTime.SpecifyKind(note?.CreatedOnUtc ?? nowUtc, DateTimeKind.Utc),
        Offline = note?.Offline ?? false,
        Note = note?.Text,
        PaymentStatus = paymentStatus ?? order.PaymentStatus.ToString(),
        PaymentMethodSystemName = string.IsNullOrEmpty(order.PaymentMethodSystemName) ? null : order.PaymentMethodSystemName,
    };

    public string ToJson() => JsonSerializer.Serialize(this, EventJsonContext.Default.OrderEventDocument);
}

/// <summary>
/// The order note nopCommerce writes for each refund: "Order has been refunded. Amount = 12.50",
/// "... partially refunded ...", and "Order has been marked as (partially) refunded ..." for the
/// offline ones. Its time is the refund's time; the catch-up finds every refund of an order this way.
/// </summary>
public sealed partial record RefundNote(decimal Amount, DateTime CreatedOnUtc, bool Offline, string Text)
{
    [GeneratedRegex(@"^Order has been (?<offline>marked as )?(partially )?refunded\. Amount = (?<amount>-?[0-9]+([.,][0-9]+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static RefundNote? Parse(OrderNote note)
    {
        var text = note.Note?.Trim() ?? string.Empty;
        var m = Pattern().Match(text);
        if (!m.Success || !decimal.TryParse(m.Groups["amount"].Value.Replace(',', '.'), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
            return null;
        return new RefundNote(amount, DateTime.SpecifyKind(note.CreatedOnUtc, DateTimeKind.Utc), m.Groups["offline"].Success, text.Length > 250 ? text[..250] : text);
    }

    /// <summary>The order's refund notes, oldest first.</summary>
    public static IReadOnlyList<RefundNote> All(IEnumerable<OrderNote> notes) =>
        notes.Select(Parse).OfType<RefundNote>().OrderBy(n => n.CreatedOnUtc).ToList();

    /// <summary>The note of the refund just made: the newest with this amount.</summary>
    public static RefundNote? Latest(IEnumerable<OrderNote> notes, decimal amount) =>
        All(notes).LastOrDefault(n => n.Amount == amount);
}

[JsonSerializable(typeof(OrderEventDocument))]
internal partial class EventJsonContext : JsonSerializerContext;
