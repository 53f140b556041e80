namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>
/// A failure reported by the native library: the status it returned (<c>KFS_*</c>) and its error
/// document (<c>Code</c>, <c>Message</c>, <c>Path</c>). Also thrown, with <see cref="Status"/>
/// <see cref="LibraryUnavailable"/>, when the native library cannot be loaded or does not match.
/// </summary>
public sealed class KashFlowNativeException : Exception
{
    /// <summary>Status used when the native library itself is missing, unloadable or mismatched.</summary>
    public const int LibraryUnavailable = -1;

    /// <summary>Creates the exception from a status and the error document's fields.</summary>
    public KashFlowNativeException(int status, string code, string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Code = code;
        Path = path;
    }

    /// <summary>The status the native call returned (see <c>NativeMethods.KFS_*</c>).</summary>
    public int Status { get; }

    /// <summary>Error code from the error document, e.g. <c>InvalidDocument</c>, <c>NotFound</c>, <c>Panic</c>.</summary>
    public string Code { get; }

    /// <summary>Field path the error is about, e.g. <c>Items[2].Sku</c>, when there is one.</summary>
    public string? Path { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{GetType().FullName}: [{Code}] {Message}" + (Path is null ? "" : $" (at {Path})") + $" (status {Status})";
}
