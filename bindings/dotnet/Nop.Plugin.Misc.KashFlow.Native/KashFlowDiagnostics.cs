// Wrappers of the kfs_debug_* exports: diagnostics that prove the boundary (panic containment,
// a JSON round trip, the asynchronous-operation machinery). Internal: tests and benchmarks only.
namespace Nop.Plugin.Misc.KashFlow.Native;

internal static unsafe class KashFlowDiagnostics
{
    /// <summary>Forces a panic inside the library; always throws (status KFS_PANIC, code Panic).</summary>
    public static void ForcePanic()
    {
        Interop.EnsureLibrary();
        KfsBuffer buffer = default;
        int status = NativeMethods.kfs_debug_panic(&buffer);
        Interop.Check(status, ref buffer);
    }

    /// <summary>Sends a JSON document through the library and back.</summary>
    public static string Echo(string json)
    {
        Interop.EnsureLibrary();
        byte[] bytes = Interop.Utf8(json, nameof(json));
        KfsBuffer buffer = default;
        int status;
        fixed (byte* p = bytes)
        {
            status = NativeMethods.kfs_debug_echo(p, (nuint)bytes.Length, &buffer);
        }
        return Interop.Finish(status, ref buffer);
    }

    /// <summary>Runs the library's dummy asynchronous operation (KFS_DEBUG_SUCCEED / FAIL / PANIC).</summary>
    public static Task<string> RunOperationAsync(uint delayMs, int behaviour, CancellationToken cancellationToken = default)
    {
        Interop.EnsureLibrary();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string>(cancellationToken);
        }
        var operation = new NativeOperation(cancellationToken);
        KfsBuffer buffer = default;
        ulong id = 0;
        int status = NativeMethods.kfs_debug_operation(delayMs, behaviour, NativeOperation.Callback, operation.UserData, &id, &buffer);
        return operation.Started(status, ref buffer, id);
    }
}
