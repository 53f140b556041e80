// The shared mechanics of every call: UTF-8 in, KfsBuffer out (copied, then released with the one
// kfs_buffer_free), status checked and turned into KashFlowNativeException, and the one-time check
// that the loaded library is the one these declarations were generated for.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nop.Plugin.Misc.KashFlow.Native;

internal static unsafe class Interop
{
    private static readonly Lazy<KashFlowNativeException?> LoadFailure = new(CheckLibrary);

    /// <summary>Throws if the native library is missing or has another ABI version. Cheap after the first call.</summary>
    public static void EnsureLibrary()
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new KashFlowNativeException(failure.Status, failure.Code, failure.Message, failure.Path, failure.InnerException);
        }
    }

    private static KashFlowNativeException? CheckLibrary()
    {
        uint abi;
        try
        {
            abi = NativeMethods.kfs_abi_version();
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            return new KashFlowNativeException(
                KashFlowNativeException.LibraryUnavailable, "NativeLibraryNotFound",
                $"The native library {NativeLibraryResolver.FileName} could not be loaded. Looked in: " +
                string.Join(", ", NativeLibraryResolver.SearchedPaths) +
                $" and the default search path. Deploy it as native/{NativeLibraryResolver.RuntimeId}/{NativeLibraryResolver.FileName} " +
                $"next to {typeof(Interop).Assembly.GetName().Name}.dll, or set {NativeLibraryResolver.PathVariable}. ({ex.Message})",
                null, ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            return new KashFlowNativeException(
                KashFlowNativeException.LibraryUnavailable, "AbiVersionMismatch",
                $"The library loaded as {NativeMethods.LibraryName} ({NativeLibraryResolver.LoadedFrom ?? "default search path"}) " +
                "does not export kfs_abi_version: it is not a KashFlow Sync native library, or one too old for this plugin.",
                null, ex);
        }
        return AbiMismatch(abi, (uint)NativeMethods.KFS_ABI_VERSION, NativeLibraryResolver.LoadedFrom ?? NativeMethods.LibraryName);
    }

    /// <summary>The error for a library of another ABI version, or null when the versions match.</summary>
    internal static KashFlowNativeException? AbiMismatch(uint loaded, uint expected, string library) =>
        loaded == expected
            ? null
            : new KashFlowNativeException(
                KashFlowNativeException.LibraryUnavailable, "AbiVersionMismatch",
                $"The native library {library} has ABI version {loaded}, but {typeof(Interop).Assembly.GetName().Name} " +
                $"was generated for ABI version {expected}. Deploy the native library and the plugin from the same build.");

    /// <summary>UTF-8 bytes of a document; null or empty is refused here with the same code the library uses.</summary>
    public static byte[] Utf8(string? document, string name)
    {
        if (document is null)
        {
            throw new ArgumentNullException(name);
        }
        if (document.Length == 0)
        {
            throw new KashFlowNativeException(NativeMethods.KFS_NULL_ARGUMENT, "EmptyDocument",
                $"document '{name}' is empty; a UTF-8 JSON document is required", name);
        }
        return Encoding.UTF8.GetBytes(document);
    }

    /// <summary>Copies the buffer out as a string and releases it. Empty buffer: empty string.</summary>
    public static string TakeString(ref KfsBuffer buffer)
    {
        try
        {
            return buffer.ptr == null ? string.Empty : Encoding.UTF8.GetString(buffer.ptr, checked((int)buffer.len));
        }
        finally
        {
            Free(ref buffer);
        }
    }

    /// <summary>Releases a buffer the library handed out (no-op for an empty one).</summary>
    public static void Free(ref KfsBuffer buffer)
    {
        if (buffer.ptr == null)
        {
            return;
        }
        fixed (KfsBuffer* b = &buffer)
        {
            int status = NativeMethods.kfs_buffer_free(b);
            if (status != NativeMethods.KFS_OK)
            {
                // Only a bug in this file can get here (we free each buffer exactly once).
                throw new KashFlowNativeException(status, "BufferFree", "kfs_buffer_free refused a buffer the library handed out");
            }
        }
    }

    /// <summary>Result text of a call: throws for a failing status (releasing the error document).</summary>
    public static string Finish(int status, ref KfsBuffer buffer)
    {
        string text = TakeString(ref buffer);
        if (status != NativeMethods.KFS_OK)
        {
            throw Error(status, text);
        }
        return text;
    }

    /// <summary>Result of a call parsed straight from the native bytes (no intermediate string).</summary>
    public static T Finish<T>(int status, ref KfsBuffer buffer, JsonTypeInfo<T> type)
    {
        try
        {
            if (status != NativeMethods.KFS_OK)
            {
                throw Error(status, buffer.ptr == null ? "" : Encoding.UTF8.GetString(buffer.ptr, checked((int)buffer.len)));
            }
            if (buffer.ptr == null)
            {
                throw new KashFlowNativeException(NativeMethods.KFS_ENGINE_ERROR, "EmptyResult", $"the library returned no {typeof(T).Name} document");
            }
            var span = new ReadOnlySpan<byte>(buffer.ptr, checked((int)buffer.len));
            return JsonSerializer.Deserialize(span, type)
                ?? throw new KashFlowNativeException(NativeMethods.KFS_ENGINE_ERROR, "EmptyResult", $"the library returned a null {typeof(T).Name} document");
        }
        finally
        {
            Free(ref buffer);
        }
    }

    /// <summary>Throws for a failing status of a status-only call.</summary>
    public static void Check(int status, ref KfsBuffer buffer) => Finish(status, ref buffer);

    /// <summary>The exception for a failing status and its error document.</summary>
    public static KashFlowNativeException Error(int status, string errorDocument)
    {
        ErrorDocument? doc = null;
        if (!string.IsNullOrEmpty(errorDocument))
        {
            try
            {
                doc = JsonSerializer.Deserialize(errorDocument, NativeJson.Default.ErrorDocument);
            }
            catch (JsonException)
            {
                // Not an error document: report the raw text below.
            }
        }
        string code = doc?.Code ?? StatusName(status);
        string message = doc?.Message ?? (string.IsNullOrEmpty(errorDocument) ? $"kashflow_sync_native returned status {status} ({StatusName(status)})" : errorDocument);
        return new KashFlowNativeException(status, code, message, doc?.Path);
    }

    /// <summary>Name of a status code, for messages.</summary>
    public static string StatusName(int status) => status switch
    {
        NativeMethods.KFS_OK => "Ok",
        NativeMethods.KFS_NULL_ARGUMENT => "NullArgument",
        NativeMethods.KFS_INVALID_DOCUMENT => "InvalidDocument",
        NativeMethods.KFS_INVALID_HANDLE => "InvalidHandle",
        NativeMethods.KFS_INVALID_CONFIG => "InvalidConfig",
        NativeMethods.KFS_NOT_FOUND => "NotFound",
        NativeMethods.KFS_ENGINE_ERROR => "EngineError",
        NativeMethods.KFS_SHUTTING_DOWN => "ShuttingDown",
        NativeMethods.KFS_PENDING => "Pending",
        NativeMethods.KFS_CANCELLED => "Cancelled",
        NativeMethods.KFS_INVALID_ARGUMENT => "InvalidArgument",
        NativeMethods.KFS_PANIC => "Panic",
        _ => $"Status{status}",
    };
}
