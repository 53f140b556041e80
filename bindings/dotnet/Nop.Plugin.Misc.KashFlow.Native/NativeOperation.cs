// An asynchronous native operation seen as a Task: the library calls OnComplete (exactly once, on
// one of its threads) when the result is ready; we take the result there and complete the Task
// with continuations forced asynchronous, so no user code ever runs on a library thread.
// Cancellation of the CancellationToken asks the library to cancel; the Task then ends Canceled.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nop.Plugin.Misc.KashFlow.Native;

internal sealed unsafe class NativeOperation
{
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _token;
    private readonly object _gate = new();
    private GCHandle _self;
    private ulong _id;
    private bool _completed;
    private CancellationTokenRegistration _registration;

    public NativeOperation(CancellationToken token)
    {
        _token = token;
        _self = GCHandle.Alloc(this);
    }

    /// <summary>The completion callback to pass to the starting export.</summary>
    public static delegate* unmanaged[Cdecl]<void*, ulong, int, void> Callback => &OnComplete;

    /// <summary>The user data to pass with <see cref="Callback"/>.</summary>
    public void* UserData => (void*)GCHandle.ToIntPtr(_self);

    /// <summary>Called right after the starting export returned.</summary>
    public Task<string> Started(int status, ref KfsBuffer buffer, ulong id)
    {
        if (status != NativeMethods.KFS_OK)
        {
            _self.Free(); // the library will not call back for an operation it did not start
            Interop.Check(status, ref buffer);
        }
        Interop.Free(ref buffer);
        lock (_gate)
        {
            _id = id;
            if (!_completed && _token.CanBeCanceled)
            {
                _registration = _token.UnsafeRegister(static s => ((NativeOperation)s!).RequestCancel(), this);
            }
        }
        return _completion.Task;
    }

    private void RequestCancel()
    {
        ulong id;
        lock (_gate)
        {
            if (_completed) return;
            id = _id;
        }
        // An operation that completes meanwhile answers KFS_INVALID_HANDLE: nothing to do then.
        NativeMethods.kfs_operation_cancel(id, null);
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnComplete(void* userData, ulong operation, int status)
    {
        // Nothing may escape into native code: catch everything.
        try
        {
            if (GCHandle.FromIntPtr((IntPtr)userData).Target is NativeOperation op)
            {
                op.Complete(operation);
            }
        }
        catch
        {
        }
    }

    private void Complete(ulong operation)
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            _completed = true;
            registration = _registration;
        }
        registration.Unregister();
        try
        {
            KfsBuffer buffer = default;
            int status = NativeMethods.kfs_operation_take(operation, &buffer);
            string text = Interop.TakeString(ref buffer);
            if (status == NativeMethods.KFS_OK)
            {
                _completion.TrySetResult(text);
                return;
            }
            KashFlowNativeException error = Interop.Error(status, text);
            if (status == NativeMethods.KFS_CANCELLED && error.Code == "EngineDisposed")
            {
                _completion.TrySetException(new ObjectDisposedException(nameof(KashFlowEngine), error.Message));
            }
            else if (status == NativeMethods.KFS_CANCELLED)
            {
                _completion.TrySetCanceled(_token.IsCancellationRequested ? _token : CancellationToken.None);
            }
            else
            {
                _completion.TrySetException(error);
            }
        }
        catch (Exception ex)
        {
            _completion.TrySetException(ex);
        }
        finally
        {
            _self.Free();
        }
    }
}
