using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>One engine log line, as delivered to the <c>onLog</c> callback.</summary>
/// <param name="Level">Error, Warn, Info, Debug or Trace.</param>
/// <param name="Target">The engine component that logged it.</param>
/// <param name="Message">The text (never contains secrets).</param>
public sealed record EngineLogEntry(string Level, string Target, string Message);

/// <summary>What the engine recorded for an enqueued order or event.</summary>
/// <param name="RecordId">The journal record id.</param>
/// <param name="OrderId">The nopCommerce order id.</param>
/// <param name="State">Pending, Failed, Unchanged or Replaced.</param>
/// <param name="Message">Why, when the state is Failed (a malformed snapshot is recorded as Failed).</param>
public sealed record EnqueueReceipt(long RecordId, long OrderId, string State, string? Message);

/// <summary>Something the host must apply to nopCommerce, then acknowledge.</summary>
/// <param name="Id">Outcome id, passed to <c>KashFlowEngine.AckOutcomes</c>.</param>
/// <param name="Kind">SetOrderStatus, AddOrderNote or SetStock.</param>
/// <param name="OrderId">The order (SetOrderStatus, AddOrderNote).</param>
/// <param name="OrderStatus">The new order status (SetOrderStatus).</param>
/// <param name="Note">The note text (AddOrderNote).</param>
/// <param name="InvoiceNumber">The KashFlow invoice number the note is about (AddOrderNote).</param>
/// <param name="Sku">The product SKU (SetStock).</param>
/// <param name="Quantity">The stock quantity in KashFlow (SetStock).</param>
public sealed record EngineOutcome(
    long Id, string Kind, long? OrderId, string? OrderStatus, string? Note, long? InvoiceNumber, string? Sku, int? Quantity)
{
    /// <summary>For a note saying a job failed: the engine's error code (UnknownProduct, ...); null otherwise.</summary>
    public string? ErrorCode { get; init; }
}

/// <summary>The error document of a failing native call.</summary>
internal sealed record ErrorDocument(string? Code, string? Message, string? Path);

/// <summary>The document of <c>kfs_version</c>.</summary>
internal sealed record VersionDocument(string Version, uint AbiVersion);

/// <summary>Source-generated (reflection-free) JSON contracts of the documents parsed here.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(EnqueueReceipt))]
[JsonSerializable(typeof(EngineOutcome[]))]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(VersionDocument))]
[JsonSerializable(typeof(CountDocument))]
internal sealed partial class NativeJson : JsonSerializerContext
{
}

/// <summary><c>{"Count": n}</c>, the result of calls that report how many items they touched.</summary>
internal sealed record CountDocument(long Count);
