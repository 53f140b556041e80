// Whether the native library (native/<rid>/ inside the plugin folder) loads on this server, and if not,
// what the admin reads on the Configure page: what is wrong and what to do. A library that does not load
// never touches checkout: the host cannot start the engine, so documents go to the spool, and the store's
// orders can be sent with Resync once the library loads.
using System.Runtime.InteropServices;
using Nop.Plugin.Misc.KashFlow.Native;

namespace Nop.Plugin.Misc.KashFlow.Services;

public static class NativeLibraryStatus
{
    /// <summary>The platforms the plugin zip carries a native library for.</summary>
    public static readonly IReadOnlyList<string> ShippedRuntimes = ["linux-x64", "win-x64"];

    /// <summary>Null when the native library loads; otherwise the problem and what to do, in plain words.</summary>
    public static string? Problem()
    {
        try
        {
            _ = KashFlowEngine.NativeVersion;
            return null;
        }
        catch (Exception ex)
        {
            return Describe(ex, OperatingSystem.IsWindows(), RuntimeInformation.OSArchitecture, RuntimeInformation.ProcessArchitecture);
        }
    }

    /// <summary>The admin's text for a library that did not load on this kind of server.</summary>
    public static string Describe(Exception ex, bool windows, Architecture osArchitecture, Architecture processArchitecture)
    {
        var os = windows ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var rid = $"{os}-{processArchitecture.ToString().ToLowerInvariant()}";
        var what = $"The KashFlow native library could not be loaded, so nothing is synced on this server. ({ex.Message})";
        string todo;
        if (windows && osArchitecture == Architecture.X64 && processArchitecture != Architecture.X64)
            todo = "This site runs as a 32-bit process: set \"Enable 32-Bit Applications\" to False in the IIS application pool's Advanced Settings, then recycle the pool.";
        else if (!ShippedRuntimes.Contains(rid))
            todo = $"This server is {rid}; the plugin ships its native library for {string.Join(" and ", ShippedRuntimes)} only.";
        else if (windows)
            todo = "Check that Plugins\\Misc.KashFlow\\native\\win-x64\\kashflow_sync_native.dll exists (upload the plugin zip again if not). " +
                   "If the zip was downloaded through a browser, Windows may have blocked the file: open its Properties, tick \"Unblock\", or unblock the zip before uploading. " +
                   "The application pool identity needs Read & execute permission on the plugin folder. Windows 10 or Windows Server 2016 or later is required.";
        else
            todo = "Check that Plugins/Misc.KashFlow/native/linux-x64/libkashflow_sync_native.so exists and is readable by the user the store runs as " +
                   "(upload the plugin zip again if not); it needs an x64 Linux with glibc.";
        return $"{what} What to do: {todo} Then restart the application. Checkout is not affected: orders stay in nopCommerce and can be sent with \"Resync\" on the KashFlow sync log.";
    }
}
