// Per-call latency of what checkout pays for the plugin. Each benchmark invocation is one call
// (InvocationCount 1), so the percentiles are per call, not per batch.
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Bench;

[Config(typeof(PerCallConfig))]
public class OrderPlacedBenchmarks
{
    private TestStore _store = null!;
    private AsyncServiceScope _scope;
    private OrderEventConsumer _consumer = null!;
    private IOrderSnapshotBuilder _builder = null!;
    private Order _order = null!;
    private List<OrderItem> _items = null!;
    private int _nextId = 1_000_000;
    private string _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = new TestStore();
        // the engine runs in Sandbox mode; steps off so the measurement is the enqueue, not the sync
        _store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.SyncCustomers = s.CreateInvoices = s.RecordPayments = s.PullStock = false;
        }, "sandbox", "sandbox-password", "kashflow").GetAwaiter().GetResult();
        if (!_store.Host.EnsureStartedAsync().GetAwaiter().GetResult())
            throw new InvalidOperationException("engine did not start: " + _store.Host.LastStartError);
        _order = SampleOrders.SeedZeroRatedOrder(_store, 1);
        _items = _store.Orders.Items[1];
        _scope = _store.Scope();
        _consumer = _scope.ServiceProvider.GetRequiredService<OrderEventConsumer>();
        _builder = _scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>();
    }

    [IterationSetup]
    public void NextOrder()
    {
        // each checkout finds the hand-off's writer idle, as in a shop taking fewer orders a second
        // than the journal commits (hundreds); back to back, the writer would share the two cores
        if (!_store.Host.WaitForHandOff(TimeSpan.FromMinutes(1)))
            throw new InvalidOperationException("the hand-off did not drain");
        // a new order each call, as in a shop (the engine would answer "Unchanged" to a repeat)
        var id = Interlocked.Increment(ref _nextId);
        _order.Id = id;
        _order.CustomOrderNumber = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _store.Orders.Items[id] = _items;
        _json = _builder.BuildJsonAsync(_order).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "OrderPlacedEvent consumer (snapshot + serialise + hand-off)")]
    public Task OrderPlaced() => _consumer.HandleEventAsync(new OrderPlacedEvent(_order));

    [Benchmark(Description = "durable journal submit (what checkout paid before the hand-off)")]
    public SubmitResult DurableSubmit() => _store.Host.SubmitOrder(_order.Id, _json);

    [Benchmark(Description = "snapshot + serialise only")]
    public Task<string> SnapshotOnly() => _builder.BuildJsonAsync(_order);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (!_store.Host.WaitForHandOff(TimeSpan.FromMinutes(2)))
            throw new InvalidOperationException("the hand-off did not drain");
        var spooled = _store.Host.Spool.List().Count;
        _scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (spooled > 0)
            throw new InvalidOperationException($"{spooled} documents were spooled: the engine refused them");
    }
}
