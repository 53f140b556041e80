// KashFlowEngine: the one type the nopCommerce plugin codes against. Wraps an engine handle of
// kashflow_sync_native in a SafeHandle; every call takes a reference on it, so Dispose during a
// call waits for the call instead of freeing the engine under it.
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>The KashFlow Sync engine, running inside this process through the native library.</summary>
public sealed unsafe partial class KashFlowEngine
{
    /// <summary>Version of the loaded native library, e.g. <c>0.1.0</c>.</summary>
    /// <exception cref="KashFlowNativeException">The library is missing or does not match.</exception>
    public static string NativeVersion
    {
        get
        {
            Interop.EnsureLibrary();
            KfsBuffer buffer = default;
            int status = NativeMethods.kfs_version(&buffer);
            return Interop.Finish(status, ref buffer, NativeJson.Default.VersionDocument).Version;
        }
    }
}
