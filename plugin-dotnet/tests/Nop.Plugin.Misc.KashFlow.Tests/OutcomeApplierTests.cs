using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class OutcomeApplierTests
{
    private static EngineOutcome Status(long id, int orderId, string status) => new(id, "SetOrderStatus", orderId, status, null, null, null, null);
    private static EngineOutcome Note(long id, int orderId, string note, long invoice) => new(id, "AddOrderNote", orderId, null, note, invoice, null, null);
    private static EngineOutcome Stock(long id, string sku, int quantity) => new(id, "SetStock", null, null, null, null, sku, quantity);

    private static async Task<ApplyResult> ApplyAsync(TestStore store, EngineOutcome outcome)
    {
        await using var scope = store.Scope();
        return await scope.ServiceProvider.GetRequiredService<OutcomeApplier>().ApplyAsync(outcome);
    }

    [Fact]
    public async Task An_outcome_kind_a_newer_engine_adds_is_logged_as_it_came_and_acknowledged_not_a_crash()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 123);
        Assert.DoesNotContain("SetPriority", EngineNames.OutcomeKinds);

        Assert.Equal(ApplyResult.Rejected, await ApplyAsync(store, new EngineOutcome(9, "SetPriority", 123, "High", null, null, null, null)));
        Assert.Contains(store.Logger.Entries, e => e.Message.Contains("outcome 9 (SetPriority)") && e.Message.Contains("unknown outcome kind 'SetPriority'"));
        Assert.Equal(OrderStatus.Pending, store.Orders.Orders[123].OrderStatus);
        Assert.Empty(store.Published.All);
    }

    [Fact]
    public async Task A_failures_note_is_the_merchant_phrase_for_its_code_with_the_code_at_the_end_and_only_once()
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        SampleOrders.SeedZeroRatedOrder(store, 125);
        const string engineNote = "KashFlow Sync could not send this order to KashFlow: while creating invoice 100125: KashFlow refused POST /invoices (HTTP 400, InvalidProductCode). (UnknownProduct)";
        var failed = new EngineOutcome(20, "AddOrderNote", 125, null, engineNote, null, null, null) { ErrorCode = "UnknownProduct" };

        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, failed));
        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, failed)); // redelivered
        var note = Assert.Single(store.Orders.Notes, n => n.OrderId == 125).Note;
        Assert.StartsWith("KashFlow Sync could not finish this order in KashFlow. A product on the order is not in KashFlow", note);
        Assert.EndsWith("(UnknownProduct)", note);
        Assert.DoesNotContain("HTTP 400", note);
        Assert.DoesNotContain(KashFlowDefaults.LocalePrefix, note);

        // a code this plugin has no phrase for: the engine's own sentence stands
        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, failed with { Id = 21, Note = "KashFlow Sync could not send this order to KashFlow: new trouble. (BrandNewCode)", ErrorCode = "BrandNewCode" }));
        Assert.Equal("KashFlow Sync could not send this order to KashFlow: new trouble. (BrandNewCode)", store.Orders.Notes.Last(n => n.OrderId == 125).Note);
    }

    [Fact]
    public async Task Processing_is_set_like_the_admin_does_and_only_once()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 123);

        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Status(1, 123, "Processing")));
        Assert.Equal(OrderStatus.Processing, store.Orders.Orders[123].OrderStatus);
        Assert.Equal(1, store.Orders.Updates);
        var changed = Assert.IsType<OrderStatusChangedEvent>(Assert.Single(store.Published.All));
        Assert.Equal(OrderStatus.Pending, changed.PreviousOrderStatus);

        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Status(1, 123, "Processing"))); // redelivered
        Assert.Equal(1, store.Orders.Updates);
        Assert.Single(store.Published.All);
    }

    [Theory]
    [InlineData(OrderStatus.Complete)]
    [InlineData(OrderStatus.Cancelled)]
    public async Task An_order_past_pending_is_not_moved_back(OrderStatus current)
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 124).OrderStatus = current;
        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Status(2, 124, "Processing")));
        Assert.Equal(current, store.Orders.Orders[124].OrderStatus);
        Assert.Empty(store.Published.All);
    }

    [Fact]
    public async Task Notes_are_private_and_not_duplicated()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 125);
        const string text = "KashFlow invoice 100125 created (customer NOP000045)";
        await ApplyAsync(store, Note(3, 125, text, 100125));
        await ApplyAsync(store, Note(3, 125, text, 100125));
        var note = Assert.Single(store.Orders.Notes);
        Assert.Equal(125, note.OrderId);
        Assert.Equal(text, note.Note);
        Assert.False(note.DisplayToCustomer);
    }

    [Fact]
    public async Task Stock_is_set_with_the_kashflow_prefix_and_untracked_products_are_left_alone()
    {
        await using var store = new TestStore();
        var mug = SampleOrders.SeedProduct(store, 1, "MUG-CLASSIC", "Classic Mug", 120);
        SampleOrders.SeedProduct(store, 2, "GIFT-WRAP", "Gift Wrapping", 0, manageStock: false);

        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Stock(4, "MUG-CLASSIC", 118)));
        Assert.Equal(118, mug.StockQuantity);
        var adjustment = Assert.Single(store.Products.Adjustments);
        Assert.Equal(-2, adjustment.Delta);
        Assert.StartsWith(KashFlowDefaults.StockMessagePrefix, adjustment.Message);

        await ApplyAsync(store, Stock(5, "MUG-CLASSIC", 118)); // already there
        await ApplyAsync(store, Stock(6, "GIFT-WRAP", 10));
        Assert.Single(store.Products.Adjustments);
    }

    [Fact]
    public async Task Stock_for_a_sku_the_shop_does_not_sell_is_nothing_to_do_and_said_once()
    {
        // every stock pull reports each stock-managed KashFlow product; in a real store the ones the shop
        // does not sell logged a warning each, every 15 minutes
        await using var store = new TestStore();
        var sku = "NOT-IN-SHOP-" + Guid.NewGuid().ToString("N");
        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Stock(7, sku, 1)));
        Assert.Equal(ApplyResult.Applied, await ApplyAsync(store, Stock(8, sku, 2)));
        Assert.Empty(store.Products.Adjustments);
        Assert.DoesNotContain(store.Logger.Entries, e => e.Level == "Warning");
        Assert.Single(store.Logger.Entries, e => e.Message.Contains(sku));
    }

    [Fact]
    public async Task Unknown_orders_and_kinds_are_rejected_with_a_log_line()
    {
        await using var store = new TestStore();
        Assert.Equal(ApplyResult.Rejected, await ApplyAsync(store, Status(8, 999, "Processing")));
        Assert.Equal(ApplyResult.Rejected, await ApplyAsync(store, new EngineOutcome(9, "Teleport", 1, null, null, null, null, null)));
        Assert.Equal(ApplyResult.Rejected, await ApplyAsync(store, Status(10, 1, "Lost")));
        Assert.Equal(3, store.Logger.Entries.Count(e => e.Level == "Warning"));
    }
}
