// The two pure flow calls of the native library (issue 20): validate a flows document, and dry-run one
// against order snapshots. Synchronous, no engine, no network. A library built before flows existed
// (same ABI version, fewer exports) has neither: that is reported as a KashFlowNativeException (code
// FlowsUnsupported) naming what to deploy, never as an EntryPointNotFoundException escaping into a page.
namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>The pure flow calls: validation and dry run of a flows document (no engine needed).</summary>
public static unsafe class KashFlowFlows
{
    /// <summary>
    /// The engine's verdict on a flows document: <c>{"Valid":bool,"Errors":[{"FlowId","Box","Path","Message"}]}</c>.
    /// An invalid document is an answer, not an exception; only a library failure throws.
    /// </summary>
    public static string ValidateJson(string flowsJson)
    {
        Interop.EnsureLibrary();
        byte[] flows = Interop.Utf8(flowsJson, nameof(flowsJson));
        KfsBuffer buffer = default;
        int status;
        try
        {
            fixed (byte* f = flows) status = NativeMethods.kfs_flows_validate(f, (nuint)flows.Length, &buffer);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw Unsupported(ex);
        }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>
    /// What the flows would have done with these orders (a JSON array of snapshots, or of
    /// <c>{"Snapshot":…,"Events":[…]}</c>): <c>{"Rows":[…],"Orders":n,"ElapsedMs":n}</c>. Nothing is posted.
    /// </summary>
    public static string DryRunJson(string flowsJson, string ordersJson)
    {
        Interop.EnsureLibrary();
        byte[] flows = Interop.Utf8(flowsJson, nameof(flowsJson));
        byte[] orders = Interop.Utf8(ordersJson, nameof(ordersJson));
        KfsBuffer buffer = default;
        int status;
        try
        {
            fixed (byte* f = flows)
            fixed (byte* o = orders)
                status = NativeMethods.kfs_flows_dry_run(f, (nuint)flows.Length, o, (nuint)orders.Length, &buffer);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw Unsupported(ex);
        }
        return Interop.Finish(status, ref buffer);
    }

    private static KashFlowNativeException Unsupported(Exception inner) => new(
        KashFlowNativeException.LibraryUnavailable, "FlowsUnsupported",
        $"The native library ({NativeLibraryResolver.LoadedFrom ?? NativeMethods.LibraryName}) has no flows support " +
        "(kfs_flows_validate / kfs_flows_dry_run): deploy the native library and the plugin from the same build.",
        null, inner);
}
