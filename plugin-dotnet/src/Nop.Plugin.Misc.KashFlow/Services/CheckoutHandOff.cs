// The checkout hand-off: documents raised inside a customer's checkout request go into an in-memory
// FIFO, and one writer thread journals them (engine, or the fallback spool), so checkout never waits
// for the journal's fsync. This is safe because nopCommerce commits the order to the store database
// before it raises OrderPlacedEvent: a document lost with the process (killed between hand-off and
// journal) is rebuilt from the store by OrderCatchUp at the next start, and HandOffMarker tells that
// start how far back to look. A clean stop drains the queue first. When the queue is full or stopping,
// TryAccept says no and the caller takes the synchronous path.
namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record HandOffItem(SpoolKind Kind, int OrderId, string Document);

public sealed class CheckoutHandOff : IDisposable
{
    /// <summary>How long the writer waits after a wake-up before journalling (the checkout request's CPU time).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);

    private readonly object _gate = new();
    private readonly Queue<HandOffItem> _queue = new();
    private readonly Action<HandOffItem> _write;
    private readonly Action<HandOffItem, Exception> _onWriteFailed;
    private readonly int _capacity;
    private readonly Thread _writer;
    private bool _stopping;
    private int _writing;

    /// <param name="write">Journals one item; runs on the writer thread, one item at a time, in order.</param>
    /// <param name="onWriteFailed">Told when <paramref name="write"/> threw (the item is then only in the store database).</param>
    /// <param name="capacity">Most items held in memory; beyond it TryAccept refuses.</param>
    public CheckoutHandOff(Action<HandOffItem> write, Action<HandOffItem, Exception> onWriteFailed, int capacity)
    {
        _write = write;
        _onWriteFailed = onWriteFailed;
        _capacity = Math.Max(1, capacity);
        // a background thread never keeps the store's process alive; Stop drains it on a clean exit
        _writer = new Thread(Run) { IsBackground = true, Name = "KashFlow checkout hand-off" };
        _writer.Start();
    }

    /// <summary>Items accepted and not yet journalled (queued or being written).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
                return _queue.Count + _writing;
        }
    }

    /// <summary>Queues <paramref name="item"/> without blocking. False when full or stopping.</summary>
    public bool TryAccept(HandOffItem item)
    {
        lock (_gate)
        {
            if (_stopping || _queue.Count >= _capacity)
                return false;
            _queue.Enqueue(item);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>Waits until everything accepted so far is journalled. False on timeout.</summary>
    public bool WaitUntilWritten(TimeSpan timeout)
    {
        // a deadline on the monotonic clock: this is a real wait on the writer thread, not a time of day
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_gate)
        {
            while (_queue.Count + _writing > 0)
            {
                var left = timeout - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                    return _queue.Count + _writing == 0;
            }
            return true;
        }
    }

    /// <summary>Refuses new items and drains the queue. True when everything was journalled in time.</summary>
    public bool Stop(TimeSpan timeout)
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        return _writer.Join(timeout) && Pending == 0;
    }

    private void Run()
    {
        while (true)
        {
            HandOffItem item;
            lock (_gate)
            {
                if (_queue.Count == 0 && !_stopping)
                {
                    while (_queue.Count == 0 && !_stopping)
                        Monitor.Wait(_gate);
                    // woken by a checkout: let its request run on before the journal takes a core
                    if (!_stopping)
                        Monitor.Wait(_gate, Linger);
                }
                if (_queue.Count == 0)
                    return;
                item = _queue.Dequeue();
                _writing++;
            }
            try
            {
                _write(item);
            }
            catch (Exception ex)
            {
                try
                {
                    _onWriteFailed(item, ex);
                }
                catch (Exception)
                {
                    // the failure report itself failed: the catch-up still finds the order
                }
            }
            finally
            {
                lock (_gate)
                {
                    _writing--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(10));
}
