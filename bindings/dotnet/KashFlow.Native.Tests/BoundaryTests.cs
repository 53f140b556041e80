// The boundary without an engine: loading and version check, panic containment, JSON round trip,
// buffer ownership (double free refused), invalid handles, and asynchronous operations as Tasks.
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class BoundaryTests
{
    [Fact]
    public void Native_library_loads_from_native_rid_folder_and_matches_the_abi()
    {
        Interop.EnsureLibrary();
        Assert.Equal((uint)NativeMethods.KFS_ABI_VERSION, NativeMethods.kfs_abi_version());
        Assert.NotNull(NativeLibraryResolver.LoadedFrom);
        Assert.EndsWith(Path.Combine("native", NativeLibraryResolver.RuntimeId, NativeLibraryResolver.FileName), NativeLibraryResolver.LoadedFrom);
    }

    [Fact]
    public void NativeVersion_is_the_crate_version()
    {
        string version = KashFlowEngine.NativeVersion;
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public void Panic_in_native_code_becomes_an_exception_and_the_library_stays_usable()
    {
        for (int i = 0; i < 3; i++)
        {
            var ex = Assert.Throws<KashFlowNativeException>(KashFlowDiagnostics.ForcePanic);
            Assert.Equal(NativeMethods.KFS_PANIC, ex.Status);
            Assert.Equal("Panic", ex.Code);
            Assert.Contains("forced through the boundary", ex.Message);
        }
        Assert.Equal("{\"Still\":\"alive\"}", KashFlowDiagnostics.Echo("{\"Still\":\"alive\"}"));
    }

    [Fact]
    public void Echo_round_trips_unicode_and_exact_decimals()
    {
        // Keys in sorted order: the echo re-serializes through a map.
        string doc = "{\"Amount\":12.345678901234567890,\"Name\":\"Zoë's Café £5 — 🍵\"}";
        Assert.Equal(doc, KashFlowDiagnostics.Echo(doc));
    }

    [Fact]
    public void Malformed_json_is_a_typed_error_naming_the_position()
    {
        var ex = Assert.Throws<KashFlowNativeException>(() => KashFlowDiagnostics.Echo("{\"A\":"));
        Assert.Equal(NativeMethods.KFS_INVALID_DOCUMENT, ex.Status);
        Assert.Equal("InvalidDocument", ex.Code);
        Assert.Contains("line 1", ex.Message);
    }

    [Fact]
    public unsafe void Empty_and_null_documents_are_refused()
    {
        var ex = Assert.Throws<KashFlowNativeException>(() => KashFlowDiagnostics.Echo(""));
        Assert.Equal("EmptyDocument", ex.Code);
        Assert.Throws<ArgumentNullException>(() => KashFlowDiagnostics.Echo(null!));
        // And at the raw boundary, where the C# layer cannot intercept:
        KfsBuffer buffer = default;
        int status = NativeMethods.kfs_debug_echo(null, 3, &buffer);
        var error = Interop.Error(status, Interop.TakeString(ref buffer));
        Assert.Equal(NativeMethods.KFS_NULL_ARGUMENT, error.Status);
        Assert.Equal("document", error.Path);
    }

    [Fact]
    public unsafe void Double_free_of_a_buffer_is_refused_not_undefined()
    {
        // A length no concurrently running test produces: a stale copy can only be told from a
        // new buffer at a reused address by its length (see ffi/src/buffer.rs).
        byte[] doc = System.Text.Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1", 1234)) + "]");
        KfsBuffer buffer = default;
        fixed (byte* p = doc)
        {
            Assert.Equal(NativeMethods.KFS_OK, NativeMethods.kfs_debug_echo(p, (nuint)doc.Length, &buffer));
        }
        KfsBuffer copy = buffer;
        Assert.Equal(NativeMethods.KFS_OK, NativeMethods.kfs_buffer_free(&buffer));
        Assert.True(buffer.ptr == null, "the freed variable is reset");
        Assert.Equal(NativeMethods.KFS_OK, NativeMethods.kfs_buffer_free(&buffer));
        Assert.Equal(NativeMethods.KFS_INVALID_ARGUMENT, NativeMethods.kfs_buffer_free(&copy));
        // The C# layer's own release path is idempotent too.
        Interop.Free(ref buffer);
    }

    [Fact]
    public unsafe void Forged_and_null_handles_are_invalid_handle_errors()
    {
        KfsBuffer buffer = default;
        int status = NativeMethods.kfs_operation_take(0, &buffer);
        Assert.Equal(NativeMethods.KFS_INVALID_HANDLE, Interop.Error(status, Interop.TakeString(ref buffer)).Status);
        status = NativeMethods.kfs_operation_take(0xDEAD_BEEF, &buffer);
        Assert.Equal("InvalidHandle", Interop.Error(status, Interop.TakeString(ref buffer)).Code);
    }

    [Fact]
    public async Task Async_operation_completes_as_a_task()
    {
        string result = await KashFlowDiagnostics.RunOperationAsync(10, NativeMethods.KFS_DEBUG_SUCCEED);
        using var doc = JsonDocument.Parse(result);
        Assert.Equal(10, doc.RootElement.GetProperty("DelayMs").GetInt32());
    }

    [Fact]
    public async Task Async_operation_failure_and_panic_fault_the_task()
    {
        var failure = await Assert.ThrowsAsync<KashFlowNativeException>(() => KashFlowDiagnostics.RunOperationAsync(0, NativeMethods.KFS_DEBUG_FAIL));
        Assert.Equal("DebugFailure", failure.Code);
        var panic = await Assert.ThrowsAsync<KashFlowNativeException>(() => KashFlowDiagnostics.RunOperationAsync(0, NativeMethods.KFS_DEBUG_PANIC));
        Assert.Equal(NativeMethods.KFS_PANIC, panic.Status);
    }

    [Fact]
    public async Task Async_operation_is_cancellable_without_blocking_a_thread()
    {
        using var cts = new CancellationTokenSource();
        Task<string> running = KashFlowDiagnostics.RunOperationAsync(600_000, NativeMethods.KFS_DEBUG_SUCCEED, cts.Token);
        Assert.False(running.IsCompleted);
        cts.Cancel();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.True(running.IsCanceled);
    }

    [Fact]
    public async Task Already_cancelled_token_does_not_start_the_operation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KashFlowDiagnostics.RunOperationAsync(0, 0, cts.Token));
    }

    [Fact]
    public async Task Many_concurrent_operations_each_complete_once()
    {
        var tasks = Enumerable.Range(0, 64).Select(i => KashFlowDiagnostics.RunOperationAsync((uint)(i % 5), NativeMethods.KFS_DEBUG_SUCCEED)).ToArray();
        string[] results = await Task.WhenAll(tasks);
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal($"{{\"DelayMs\":{i % 5}}}", results[i]);
        }
    }
}

public class LoadingTests
{
    [Fact]
    public void Library_is_searched_in_native_rid_folder_first_then_the_environment_variable()
    {
        string file = NativeLibraryResolver.FileName;
        string rid = NativeLibraryResolver.RuntimeId;
        Assert.Equal(new[] { Path.Combine("/plugins/kf", "native", rid, file) }, NativeLibraryResolver.CandidatePaths("/plugins/kf", null).ToArray());

        string dir = Path.Combine(Path.GetTempPath(), "kfs-resolver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Equal(
                new[] { Path.Combine("/plugins/kf", "native", rid, file), Path.Combine(dir, file) },
                NativeLibraryResolver.CandidatePaths("/plugins/kf", dir).ToArray());
            string explicitFile = Path.Combine(dir, "custom-build.so");
            Assert.Equal(explicitFile, NativeLibraryResolver.CandidatePaths("/plugins/kf", explicitFile).Last());
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void A_library_of_another_abi_version_is_refused_with_a_clear_message()
    {
        Assert.Null(Interop.AbiMismatch(1, 1, "x.so"));
        var ex = Interop.AbiMismatch(2, 1, "/opt/nop/native/linux-x64/libkashflow_sync_native.so");
        Assert.NotNull(ex);
        Assert.Equal(KashFlowNativeException.LibraryUnavailable, ex!.Status);
        Assert.Equal("AbiVersionMismatch", ex.Code);
        Assert.Contains("ABI version 2", ex.Message);
        Assert.Contains("ABI version 1", ex.Message);
        Assert.Contains("/opt/nop/native/linux-x64/libkashflow_sync_native.so", ex.Message);
    }
}
