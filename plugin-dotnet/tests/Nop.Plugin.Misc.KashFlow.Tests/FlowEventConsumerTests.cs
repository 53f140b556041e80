// The flow triggers' consumers (FlowEventConsumer): nothing is sent while no saved flow listens (the
// default flow), each event document of the contract is sent when one does, a customer or product saved
// again unchanged is not sent twice, guests are no KashFlow customers, and the order snapshot carries
// the store's name, the customer's roles and the items' categories for flow conditions. The engine is
// not started, so what the consumers send lands in the spool, where the test reads it.
using System.Text.Json.Nodes;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Shipping;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Tax;
using Nop.Core.Events;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class FlowEventConsumerTests
{
    private const string ListeningFlows = """
        {"Version":1,"Flows":[
          {"Id":"dispatch","Name":"Dispatch","Enabled":true,"Trigger":"OrderShipped","Steps":[{"Step":"Invoice"}]},
          {"Id":"delivered","Name":"Delivered","Enabled":true,"Trigger":"OrderDelivered","Steps":[{"Step":"OrderNote"}]},
          {"Id":"done","Name":"Done","Enabled":true,"Trigger":"OrderCompleted","Steps":[{"Step":"OrderNote"}]},
          {"Id":"customers","Name":"Customers","Enabled":true,"Trigger":"CustomerChanged","Steps":[{"Step":"Customer","Mode":"PerCustomer"}]},
          {"Id":"products","Name":"Products","Enabled":true,"Trigger":"ProductChanged","Steps":[{"Step":"Product","UpdatePrice":true}]}]}
        """;

    private static List<JsonNode> Sent(TestStore store)
    {
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        return store.Host.Spool.List().Select(e => JsonNode.Parse(e.ReadDocument())!).ToList();
    }

    private static Customer RegisteredCustomer(TestStore store, int id, string email = "ann@example.com")
    {
        var customer = new Customer { Id = id, Email = email, FirstName = "Ann", LastName = "Lee", Company = "Lee Trading", VatNumber = "GB123456789", BillingAddressId = 77 };
        store.Customers.Customers[id] = customer;
        store.Customers.Roles[id] = [new CustomerRole { SystemName = "Registered", Active = true }, new CustomerRole { SystemName = "Trade", Active = true },
            new CustomerRole { SystemName = "Lapsed", Active = false }];
        store.Addresses.Addresses[77] = new Address { Id = 77, FirstName = "Ann", LastName = "Lee", Address1 = "1 High St", City = "Leeds", ZipPostalCode = "LS1 1AA" };
        return customer;
    }

    [Fact]
    public async Task Without_saved_flows_the_new_triggers_send_nothing()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true); // the default flow: FlowsJson blank
        var order = SampleOrders.SeedZeroRatedOrder(store, 601);
        var customer = RegisteredCustomer(store, 602);
        var product = new Product { Id = 603, Name = "Mug", Sku = "MUG", Price = 8.5m, Published = true };

        await store.PublishAsync(new ShipmentSentEvent(new Shipment { Id = 1, OrderId = order.Id }));
        await store.PublishAsync(new ShipmentDeliveredEvent(new Shipment { Id = 1, OrderId = order.Id }));
        order.OrderStatus = OrderStatus.Complete;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Processing));
        await store.PublishAsync(new CustomerRegisteredEvent(customer));
        await store.PublishAsync(new EntityUpdatedEvent<Customer>(customer));
        await store.PublishAsync(new EntityInsertedEvent<Product>(product));

        Assert.Empty(Sent(store));
        Assert.Empty(store.Logger.Entries);
    }

    [Fact]
    public async Task Shipment_delivery_and_completion_become_the_order_events_of_the_contract()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero));
        await using var store = new TestStore(time: clock);
        await store.ConfigureAsync(s => { s.Enabled = true; s.FlowsJson = ListeningFlows; });
        var order = SampleOrders.SeedZeroRatedOrder(store, 611);
        order.CreatedOnUtc = clock.GetUtcNow().UtcDateTime;

        await store.PublishAsync(new ShipmentSentEvent(new Shipment { Id = 5, OrderId = 611, ShippedDateUtc = new DateTime(2026, 12, 2, 10, 0, 0) }));
        await store.PublishAsync(new ShipmentDeliveredEvent(new Shipment { Id = 5, OrderId = 611 }));
        order.OrderStatus = OrderStatus.Complete;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Processing));
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Complete)); // not a change to Complete
        await store.PublishAsync(new ShipmentSentEvent(new Shipment { Id = 6, OrderId = 999 })); // no such order

        var sent = Sent(store).Select(d => d.ToJsonString()).ToList();
        Assert.Equal(
        [
            """{"Kind":"OrderShipped","OrderId":611,"OccurredOnUtc":"2026-12-02T10:00:00Z"}""",
            """{"Kind":"OrderDelivered","OrderId":611,"OccurredOnUtc":"2026-12-01T09:30:00Z"}""",
            """{"Kind":"OrderCompleted","OrderId":611,"OccurredOnUtc":"2026-12-01T09:30:00Z"}""",
        ], sent);
    }

    [Fact]
    public async Task A_registered_customer_is_sent_once_per_change_and_a_guest_never()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.FlowsJson = ListeningFlows; });
        store.Countries.Countries[1] = new Nop.Core.Domain.Directory.Country { Id = 1, TwoLetterIsoCode = "GB" };
        var customer = RegisteredCustomer(store, 621);
        store.Addresses.Addresses[77].CountryId = 1;
        var guest = new Customer { Id = 622 };
        store.Customers.Customers[622] = guest;
        store.Customers.Roles[622] = [new CustomerRole { SystemName = "Guests", Active = true }];

        await store.PublishAsync(new CustomerRegisteredEvent(customer));
        await store.PublishAsync(new EntityUpdatedEvent<Customer>(customer)); // nopCommerce's save with the registration
        await store.PublishAsync(new EntityUpdatedEvent<Customer>(guest)); // every visitor's LastActivityDateUtc
        customer.Company = "Lee Trading Ltd";
        await store.PublishAsync(new EntityUpdatedEvent<Customer>(customer));
        await store.PublishAsync(new EntityUpdatedEvent<Customer>(customer)); // the next visit: nothing new

        var sent = Sent(store);
        Assert.Equal(2, sent.Count);
        Assert.Equal(
            """{"Registered":true,"Customer":{"CustomerId":621,"Email":"ann@example.com","FirstName":"Ann","LastName":"Lee","Company":"Lee Trading","VatNumber":"GB123456789","BillingAddress":{"FirstName":"Ann","LastName":"Lee","Address1":"1 High St","City":"Leeds","ZipPostalCode":"LS1 1AA","CountryTwoLetterIsoCode":"GB"},"Roles":["Registered","Trade"]},"Kind":"CustomerChanged"}""",
            sent[0].ToJsonString());
        Assert.False((bool)sent[1]["Registered"]!);
        Assert.Equal("Lee Trading Ltd", (string)sent[1]["Customer"]!["Company"]!);
    }

    [Fact]
    public async Task A_product_is_sent_with_its_price_and_vat_category_only_when_that_changes()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.FlowsJson = ListeningFlows; });
        store.TaxCategories.TaxCategories[2] = new TaxCategory { Id = 2, Name = "Standard rate" };
        var product = new Product { Id = 631, Name = "Mug", Sku = "MUG-1", Price = 8.50m, TaxCategoryId = 2, Published = true };

        await store.PublishAsync(new EntityInsertedEvent<Product>(product));
        product.StockQuantity -= 1; // a sale: nothing KashFlow's product holds
        await store.PublishAsync(new EntityUpdatedEvent<Product>(product));
        product.Price = 9.00m;
        await store.PublishAsync(new EntityUpdatedEvent<Product>(product));

        await store.PublishAsync(new EntityInsertedEvent<Product>(new Product { Id = 632, Name = "No code", Price = 1m })); // no SKU: no KashFlow product

        var sent = Sent(store).Select(d => d.ToJsonString()).ToList();
        Assert.Equal(
        [
            """{"Product":{"ProductId":631,"Sku":"MUG-1","Name":"Mug","Price":8.50,"TaxCategoryName":"Standard rate","Published":true},"Kind":"ProductChanged"}""",
            """{"Product":{"ProductId":631,"Sku":"MUG-1","Name":"Mug","Price":9.00,"TaxCategoryName":"Standard rate","Published":true},"Kind":"ProductChanged"}""",
        ], sent);
    }

    [Fact]
    public async Task A_disabled_flow_does_not_listen_and_a_failing_service_never_reaches_the_request()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.FlowsJson = """{"Version":1,"Flows":[{"Id":"p","Name":"P","Enabled":false,"Trigger":"ProductChanged","Steps":[{"Step":"Product"}]},{"Id":"c","Name":"C","Enabled":true,"Trigger":"CustomerChanged","Steps":[{"Step":"Customer"}]}]}""";
        });
        await store.PublishAsync(new EntityUpdatedEvent<Product>(new Product { Id = 641, Name = "Off", Price = 1m }));
        Assert.Empty(Sent(store));

        // a customer whose billing address cannot be read: logged, not thrown into the registration
        var customer = RegisteredCustomer(store, 642);
        store.Addresses.Addresses.Clear();
        customer.BillingAddressId = null;
        store.Customers.Roles[642] = [null!]; // the roles cannot be read
        await store.PublishAsync(new CustomerRegisteredEvent(customer));
        Assert.Contains(store.Logger.Entries, e => e.Level == "Error" && e.Message.Contains("the change of customer 642"));
    }

    [Fact]
    public async Task The_engine_takes_every_document_the_consumers_send()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.FlowsJson = ListeningFlows;
            s.SyncCustomers = s.CreateInvoices = s.RecordPayments = s.PullStock = false; // the journal is what counts here
        }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var order = SampleOrders.SeedZeroRatedOrder(store, 671);
        order.CreatedOnUtc = DateTime.UtcNow;
        var builder = (IOrderSnapshotBuilder)store.Services.GetService(typeof(IOrderSnapshotBuilder))!;
        store.Host.SubmitOrder(671, await builder.BuildJsonAsync(order));

        await store.PublishAsync(new ShipmentSentEvent(new Shipment { Id = 9, OrderId = 671, ShippedDateUtc = DateTime.UtcNow }));
        await store.PublishAsync(new ShipmentDeliveredEvent(new Shipment { Id = 9, OrderId = 671, DeliveryDateUtc = DateTime.UtcNow }));
        order.OrderStatus = OrderStatus.Complete;
        await store.PublishAsync(new OrderStatusChangedEvent(order, OrderStatus.Processing));
        await store.PublishAsync(new CustomerRegisteredEvent(RegisteredCustomer(store, 672)));
        await store.PublishAsync(new EntityInsertedEvent<Product>(new Product { Id = 673, Name = "Mug", Sku = "MUG-673", Price = 8.5m, Published = true }));

        // journalled, none refused: nothing left in the spool, nothing logged as failed
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.DoesNotContain(store.Logger.Entries, e => e.Level is "Error" or "Warning");
        var page = EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [671]).ToJson()));
        var detail = EngineDocuments.ParseRecordDetail(store.Host.Engine!.RecordDetailJson(page.Items.Single().RecordId));
        var kinds = (detail.Events ?? []).Select(e => e.Kind).ToList();
        Assert.Contains("OrderShipped", kinds);
        Assert.Contains("OrderDelivered", kinds);
        Assert.Contains("OrderCompleted", kinds);
    }

    [Fact]
    public async Task The_catch_up_sends_again_the_shipments_and_completions_flows_listen_for()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.SyncCustomers = s.CreateInvoices = s.RecordPayments = s.PullStock = false; // the journal is what counts here
        }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var now = DateTime.UtcNow;
        var known = SampleOrders.SeedZeroRatedOrder(store, 661);
        var unknown = SampleOrders.SeedZeroRatedOrder(store, 662);
        var pending = SampleOrders.SeedZeroRatedOrder(store, 663);
        foreach (var o in new[] { known, unknown, pending })
            o.CreatedOnUtc = now;
        known.ShippingStatus = ShippingStatus.Shipped;
        unknown.ShippingStatus = ShippingStatus.Delivered;
        unknown.OrderStatus = OrderStatus.Complete;
        pending.ShippingStatus = ShippingStatus.NotYetShipped;
        var builder = (IOrderSnapshotBuilder)store.Services.GetService(typeof(IOrderSnapshotBuilder))!;
        store.Host.SubmitOrder(661, await builder.BuildJsonAsync(known)); // journalled before the crash

        async Task<List<string>> CatchUpAsync(IReadOnlySet<string>? listening)
        {
            var sent = new List<string>();
            await OrderCatchUp.RunAsync(store.Host.Engine!, store.Orders, builder, now.AddMinutes(-1),
                (id, json) => sent.Add($"{id} snapshot"), (id, json) => sent.Add($"{id} {JsonNode.Parse(json)!["Kind"]}"),
                CancellationToken.None, listening: listening);
            return sent;
        }

        // the default flow listens for none of them: the catch-up is what it was
        Assert.Equal(["662 snapshot", "663 snapshot"], await CatchUpAsync(FlowDocuments.EnabledTriggers(null)));
        Assert.Equal(["661 OrderShipped", "662 snapshot", "662 OrderShipped", "662 OrderDelivered", "662 OrderCompleted", "663 snapshot"],
            await CatchUpAsync(FlowDocuments.EnabledTriggers(ListeningFlows)));
    }

    [Fact]
    public async Task With_saved_flows_the_snapshot_carries_the_store_name_the_customer_roles_and_the_item_categories()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.FlowsJson = ListeningFlows);
        var order = SampleOrders.SeedZeroRatedOrder(store, 651);
        store.Stores.Stores[order.StoreId] = new Store { Id = order.StoreId, Name = "Trade counter" };
        store.Customers.Roles[order.CustomerId] = [new CustomerRole { SystemName = "Registered", Active = true }, new CustomerRole { SystemName = "Trade", Active = true }];
        var item = store.Orders.Items[order.Id][0];
        store.Categories.Place(item.ProductId, 40, "Books");
        store.Categories.Place(item.ProductId, 41, "Gifts");

        await using var scope = store.Scope();
        var builder = (IOrderSnapshotBuilder)scope.ServiceProvider.GetService(typeof(IOrderSnapshotBuilder))!;
        var snapshot = JsonNode.Parse(await builder.BuildJsonAsync(order))!;
        Assert.Equal("Trade counter", (string)snapshot["StoreName"]!);
        Assert.Equal(["Registered", "Trade"], snapshot["CustomerRoles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["Books", "Gifts"], snapshot["Items"]![0]!["Categories"]!.AsArray().Select(c => (string)c!));

        // the default flow (no flows saved): the snapshot of before flows, byte for byte
        var withFlows = await builder.BuildJsonAsync(order);
        await store.ConfigureAsync(s => s.FlowsJson = null);
        var plain = JsonNode.Parse(await builder.BuildJsonAsync(order))!.AsObject();
        Assert.False(plain.ContainsKey("StoreName"));
        Assert.False(plain.ContainsKey("CustomerRoles"));
        Assert.False(plain["Items"]![0]!.AsObject().ContainsKey("Categories"));
        var stripped = JsonNode.Parse(withFlows)!.AsObject();
        stripped.Remove("StoreName");
        stripped.Remove("CustomerRoles");
        stripped["Items"]![0]!.AsObject().Remove("Categories");
        Assert.Equal(stripped.ToJsonString(), plain.ToJsonString());

        // none of them known: left out even with flows
        await store.ConfigureAsync(s => s.FlowsJson = ListeningFlows);
        store.Stores.Stores.Clear();
        store.Customers.Roles.Clear();
        store.Categories.ProductCategories.Clear();
        Assert.Equal(plain.ToJsonString(), JsonNode.Parse(await builder.BuildJsonAsync(order))!.ToJsonString());
    }
}
