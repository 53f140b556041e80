using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>Checkout must never fail or wait because of KashFlow: consumers spool and log instead.</summary>
public class ConsumerResilienceTests
{
    [Fact]
    public async Task When_the_engine_cannot_start_the_order_and_its_events_are_spooled_in_order()
    {
        var file = Path.GetTempFileName(); // a journal directory under a regular file cannot exist
        await using var store = new TestStore(dataDirectory: Path.Combine(file, "KashFlow"));
        await store.ConfigureAsync(s => s.Enabled = true, "user", "pw-secret-1", "word-secret");
        var order = SampleOrders.SeedZeroRatedOrder(store, 301);

        Assert.False(await store.Host.EnsureStartedAsync());
        Assert.NotNull(store.Host.LastStartError);

        // the spool directory is also under the file: even the spool fails, and still nothing throws
        await store.PublishAsync(new OrderPlacedEvent(order));
        await store.PublishAsync(new OrderPaidEvent(order));
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("not even in the spool"));
        Assert.DoesNotContain("pw-secret-1", store.Logger.AllText);
        Assert.DoesNotContain("word-secret", store.Logger.AllText);
        File.Delete(file);
    }

    [Fact]
    public async Task With_no_engine_running_documents_go_to_the_spool_oldest_first()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true);
        var order = SampleOrders.SeedZeroRatedOrder(store, 302);
        // never started: Engine is null, exactly as during a failed start or after a stop

        await store.PublishAsync(new OrderPlacedEvent(order));
        await store.PublishAsync(new OrderPaidEvent(order));
        order.OrderStatus = OrderStatus.Cancelled;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Pending));
        await store.PublishAsync(new OrderRefundedEvent(order, 5.00m));
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));

        var entries = store.Host.Spool.List();
        Assert.Equal([SpoolKind.Order, SpoolKind.Event, SpoolKind.Event, SpoolKind.Event], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.Equal(302, e.OrderId));
        Assert.Contains("\"SchemaVersion\":1", entries[0].ReadDocument());
        Assert.Contains("\"Kind\":\"OrderPaid\"", entries[1].ReadDocument());
        Assert.Contains("\"Kind\":\"OrderCancelled\"", entries[2].ReadDocument());
        Assert.Contains("\"CancelledDateUtc\":", entries[2].ReadDocument());
        var refund = System.Text.Json.Nodes.JsonNode.Parse(entries[3].ReadDocument())!.AsObject();
        Assert.Equal("OrderRefunded", (string?)refund["Kind"]);
        Assert.Equal(5.00m, (decimal?)refund["Amount"]);
        Assert.NotNull(refund["RefundDateUtc"]);
        Assert.False((bool?)refund["Offline"]);
        Assert.Equal(4, store.Logger.Entries.Count(e => e.Level == "Warning" && e.Message.Contains("spooled")));
    }

    [Fact]
    public async Task When_the_snapshot_cannot_be_built_a_rebuild_marker_is_spooled()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true);
        var order = SampleOrders.SeedZeroRatedOrder(store, 303);
        store.Orders.Items.Clear();
        store.Customers.Customers.Clear();
        store.Products.Products.Clear();
        store.Addresses.Addresses.Clear();
        // make the item query itself fail, as a database error would
        var failing = new ThrowingOrderItems(store.Orders);
        await using (var scope = store.Scope())
        {
            var consumer = new OrderEventConsumer(store.Host, store.Logger,
                (KashFlowSettingsManager)scope.ServiceProvider.GetService(typeof(KashFlowSettingsManager))!,
                new OrderSnapshotBuilder(store.Addresses, store.Countries, store.Currencies, store.Customers, store.GiftCards, store.Localization,
                    failing, store.Products, store.RewardPoints, store.Settings, store.States, store.Categories, store.Stores), store.Orders);
            await consumer.HandleEventAsync(new OrderPlacedEvent(order));
        }
        var entry = Assert.Single(store.Host.Spool.List());
        Assert.Equal(SpoolKind.Rebuild, entry.Kind);
        Assert.Equal(303, entry.OrderId);
        Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("snapshot of order 303"));
    }

    [Fact]
    public async Task A_disabled_plugin_ignores_orders()
    {
        await using var store = new TestStore();
        var order = SampleOrders.SeedZeroRatedOrder(store, 304);
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.Empty(store.Logger.Entries);
    }

    [Fact]
    public async Task Only_a_change_to_cancelled_is_passed_on()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true);
        var order = SampleOrders.SeedZeroRatedOrder(store, 305);
        order.OrderStatus = OrderStatus.Processing;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Pending));
        order.OrderStatus = OrderStatus.Cancelled;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Cancelled));
        Assert.True(store.Host.Spool.IsEmpty);
    }

    private sealed class ThrowingOrderItems(FakeOrderService inner) : Nop.Services.Orders.IOrderService
    {
        public Task<Order> GetOrderByIdAsync(int orderId) => inner.GetOrderByIdAsync(orderId);
        public Task<Order> GetOrderByCustomOrderNumberAsync(string customOrderNumber) => inner.GetOrderByCustomOrderNumberAsync(customOrderNumber);
        public Task UpdateOrderAsync(Order order) => inner.UpdateOrderAsync(order);
        public Task<Nop.Core.IPagedList<Order>> SearchOrdersAsync(int storeId = 0, int vendorId = 0, int customerId = 0, int productId = 0,
            int affiliateId = 0, int warehouseId = 0, int billingCountryId = 0, string paymentMethodSystemName = null!,
            DateTime? createdFromUtc = null, DateTime? createdToUtc = null, List<int> osIds = null!, List<int> psIds = null!,
            List<int> ssIds = null!, string billingPhone = null!, string billingEmail = null!, string billingLastName = "",
            string orderNotes = null!, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false) =>
            inner.SearchOrdersAsync(createdFromUtc: createdFromUtc, createdToUtc: createdToUtc, pageIndex: pageIndex, pageSize: pageSize);
        public Task<IList<OrderItem>> GetOrderItemsAsync(int orderId, bool? isNotReturnable = null, bool? isShipEnabled = null, int vendorId = 0) =>
            throw new InvalidOperationException("database unavailable");
        public Task<IList<OrderNote>> GetOrderNotesByOrderIdAsync(int orderId, bool? displayToCustomer = null) => inner.GetOrderNotesByOrderIdAsync(orderId, displayToCustomer);
        public Task InsertOrderNoteAsync(OrderNote orderNote) => inner.InsertOrderNoteAsync(orderNote);
    }
}
