// Finds kashflow_sync_native for the P/Invoke declarations: native/<rid>/ next to this assembly
// first, then KASHFLOW_SYNC_NATIVE_PATH (a file or a directory), then the runtime's own probing.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nop.Plugin.Misc.KashFlow.Native;

/// <summary>Resolves the native library for <see cref="NativeMethods"/> and remembers where it looked.</summary>
internal static class NativeLibraryResolver
{
    /// <summary>Environment variable naming the native library file, or the directory holding it.</summary>
    public const string PathVariable = "KASHFLOW_SYNC_NATIVE_PATH";

    private static readonly List<string> Searched = new();
    private static readonly object Gate = new();

    /// <summary>Path the library was loaded from, once resolved by us (null: runtime probing or not yet).</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Paths examined so far (for error messages).</summary>
    public static IReadOnlyList<string> SearchedPaths
    {
        get { lock (Gate) { return Searched.ToArray(); } }
    }

    /// <summary>Runtime identifier of the native folder, e.g. <c>linux-x64</c>.</summary>
    public static string RuntimeId
    {
        get
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        }
    }

    /// <summary>File name of the library on this OS.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? $"{NativeMethods.LibraryName}.dll"
        : OperatingSystem.IsMacOS() ? $"lib{NativeMethods.LibraryName}.dylib"
        : $"lib{NativeMethods.LibraryName}.so";

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke of this assembly, whoever makes it.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    /// <summary>Where to look, in order: native/&lt;rid&gt;/ under <paramref name="assemblyDirectory"/>, then
    /// <paramref name="fromEnvironment"/> (a directory holding the library, or the library file itself).</summary>
    internal static IEnumerable<string> CandidatePaths(string assemblyDirectory, string? fromEnvironment)
    {
        yield return Path.Combine(assemblyDirectory, "native", RuntimeId, FileName);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            yield return Directory.Exists(fromEnvironment) ? Path.Combine(fromEnvironment, FileName) : fromEnvironment;
        }
    }

    private static IEnumerable<string> Candidates(Assembly assembly)
    {
        string? dir = string.IsNullOrEmpty(assembly.Location) ? null : Path.GetDirectoryName(assembly.Location);
        return CandidatePaths(dir ?? AppContext.BaseDirectory, Environment.GetEnvironmentVariable(PathVariable));
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName)
        {
            return IntPtr.Zero;
        }
        foreach (string candidate in Candidates(assembly))
        {
            string full = Path.GetFullPath(candidate);
            lock (Gate)
            {
                if (!Searched.Contains(full)) Searched.Add(full);
            }
            if (File.Exists(full) && NativeLibrary.TryLoad(full, out IntPtr handle))
            {
                LoadedFrom = full;
                return handle;
            }
        }
        return IntPtr.Zero; // fall back to the runtime's default probing (application directory, PATH, ...)
    }
}
