namespace Nop.Plugin.Misc.KashFlow.Native;

public sealed class KashFlowEngine : IDisposable
{
    public static string NativeVersion => throw new DllNotFoundException("stub");
    public static KashFlowEngine Create(string configJson, Action<EngineLogEntry>? onLog = null) => throw new DllNotFoundException("stub");
    public EnqueueReceipt EnqueueOrder(string snapshotJson) => throw new NotImplementedException();
    public EnqueueReceipt EnqueueEvent(string eventJson) => throw new NotImplementedException();
    public IReadOnlyList<EngineOutcome> PollOutcomes(int max) => throw new NotImplementedException();
    public void AckOutcomes(IEnumerable<long> ids) => throw new NotImplementedException();
    public string StatusCountsJson() => throw new NotImplementedException();
    public string ListRecordsJson(string queryJson) => throw new NotImplementedException();
    public string RecordDetailJson(long recordId) => throw new NotImplementedException();
    public void Retry(long recordId) => throw new NotImplementedException();
    public int RetryAllFailed() => throw new NotImplementedException();
    public string PreviewJson(string snapshotJson) => throw new NotImplementedException();
    public static string ValidateConfigJson(string configJson) => throw new NotImplementedException();
    public Task<string> TestConnectionAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public void Reconfigure(string configJson) => throw new NotImplementedException();
    public void RequestStockPull() => throw new NotImplementedException();
    public void Dispose() { }
}
public sealed record EngineLogEntry(string Level, string Target, string Message);
public sealed record EnqueueReceipt(long RecordId, long OrderId, string State, string? Message);
public sealed record EngineOutcome(long Id, string Kind, long? OrderId, string? OrderStatus, string? Note, long? InvoiceNumber, string? Sku, int? Quantity);
public sealed class KashFlowNativeException : Exception
{
    public KashFlowNativeException(int status, string code, string message, string? path) : base(message) { Status = status; Code = code; Path = path; }
    public int Status { get; }
    public string Code { get; }
    public string? Path { get; }
}
