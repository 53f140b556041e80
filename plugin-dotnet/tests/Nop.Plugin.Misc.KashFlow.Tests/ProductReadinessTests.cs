using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The product readiness page against the real engine and its sandbox KashFlow (real HTTP on 127.0.0.1): what
/// is missing and unsold, "create in KashFlow" in batches (and the order that waited for the product goes
/// by itself), "map to…" saved in the rules the engine validates, and "read KashFlow's lists".
/// </summary>
public class ProductReadinessTests
{
    private static async Task<TestStore> SandboxStoreAsync()
    {
        var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.Transport = KashFlowTransport.Rest;
        }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        return store;
    }

    /// <summary>A shop's catalogue: two products KashFlow has, two it lacks, one unpublished, one deleted, one without SKU.</summary>
    private static void SeedCatalogue(TestStore store)
    {
        SampleOrders.SeedProduct(store, 501, "BOOK-UK-COOK", "The British Cookbook", 30).Published = true;
        SampleOrders.SeedProduct(store, 502, "TEA-TIN", "Loose Leaf Tea Tin", 80).Published = true;
        var candle = SampleOrders.SeedProduct(store, 503, "CANDLE-SOY", "Soy Candle", 12);
        candle.Published = true;
        candle.Price = 12.50m;
        SampleOrders.SeedProduct(store, 504, "SOAP-BAR", "Olive Soap Bar", 40).Published = true;
        SampleOrders.SeedProduct(store, 505, "OLD-THING", "Discontinued", 0).Published = false;
        var deleted = SampleOrders.SeedProduct(store, 506, "GONE", "Deleted", 0);
        deleted.Published = true;
        deleted.Deleted = true;
        SampleOrders.SeedProduct(store, 507, "", "Gift message", 0).Published = true;
    }

    private static async Task<ProductReadinessModel> PageAsync(TestStore store)
    {
        await using var scope = store.Scope();
        var view = Assert.IsType<ViewResult>(await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().Products());
        Assert.Equal(KashFlowProductsController.ProductsView, view.ViewName);
        return Assert.IsType<ProductReadinessModel>(view.Model);
    }

    [Fact]
    public void Every_action_requires_manage_plugins_in_an_admin_controller_with_antiforgery()
    {
        foreach (var type in new[] { typeof(KashFlowProductsController), typeof(KashFlowSetupController) })
        {
            Assert.Equal(AreaNames.ADMIN, type.GetCustomAttribute<AreaAttribute>()?.RouteValue);
            Assert.NotNull(type.GetCustomAttribute<AuthorizeAdminAttribute>());
            Assert.NotNull(type.GetCustomAttribute<AutoValidateAntiforgeryTokenAttribute>());
            var actions = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => typeof(Task<IActionResult>).IsAssignableFrom(m.ReturnType)).ToList();
            Assert.True(actions.Count >= 3, type.Name);
            foreach (var action in actions)
                Assert.Equal([StandardPermission.Configuration.MANAGE_PLUGINS],
                    action.GetCustomAttributes<CheckPermissionAttribute>().SelectMany(a => a.PermissionSystemName));
        }
    }

    [Fact]
    public async Task Before_KashFlows_lists_are_read_the_page_says_so_and_compares_nothing()
    {
        await using var store = await SandboxStoreAsync();
        SeedCatalogue(store);

        var model = await PageAsync(store);

        Assert.False(model.LookupsLoaded);
        Assert.Empty(model.Missing);
        Assert.Equal(5, model.PublishedCount);
        Assert.Equal(1, model.WithoutSku);
    }

    [Fact]
    public async Task A_large_catalogue_is_read_page_by_page_and_only_its_published_products_count()
    {
        await using var store = new TestStore();
        for (var id = 1; id <= 1203; id++)
            SampleOrders.SeedProduct(store, id, $"SKU-{id:D5}", $"Product {id}", 1).Published = id % 100 != 0;

        var model = await PageAsync(store);

        Assert.Equal(1203 - 12, model.PublishedCount);
        Assert.Equal(3, store.Products.SearchCalls); // 500 a page
    }

    [Fact]
    public async Task The_page_lists_the_published_products_KashFlow_lacks_and_the_KashFlow_products_nobody_sells()
    {
        await using var store = await SandboxStoreAsync();
        SeedCatalogue(store);
        await using (var scope = store.Scope())
            Assert.IsType<RedirectToActionResult>(await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().RefreshProducts());
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Success");

        var model = await PageAsync(store);

        Assert.True(model.LookupsLoaded);
        Assert.Equal(["CANDLE-SOY", "SOAP-BAR"], model.Missing.Select(m => m.Sku).Order());
        Assert.Equal(2, model.ReadyCount);
        Assert.Equal(12.50m, model.Missing.Single(m => m.Sku == "CANDLE-SOY").Price);
        // the sandbox's other ten products are sold by nobody here; the two the shop sells are not among them
        Assert.Equal(10, model.Unsold.Count);
        Assert.DoesNotContain(model.Unsold, u => u.Code is "BOOK-UK-COOK" or "TEA-TIN");
        Assert.Contains(model.KashFlowCodes, k => k.Code == "MUG-CLASSIC");
        // the Configure page counts them too
        await using (var scope = store.Scope())
        {
            var configure = Assert.IsType<ViewResult>(await scope.ServiceProvider.GetRequiredService<KashFlowAdminController>().Configure());
            Assert.Equal(2, Assert.IsType<ConfigurationModel>(configure.Model).ProductsMissing);
        }
    }

    [Fact]
    public async Task Creating_in_batches_reports_each_batch_and_the_order_waiting_for_the_product_goes_by_itself()
    {
        await using var store = await SandboxStoreAsync();
        SeedCatalogue(store);
        // an order for a product KashFlow does not have yet: it waits as UnknownProduct
        var order = SampleOrders.SeedZeroRatedOrder(store, 311);
        store.Products.Products[502].Sku = "TEA-TIN-250G";
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await UntilAsync(() => State(store, 311) == "Failed"));
        Assert.Equal("UnknownProduct", Record(store, 311).LastError?.Code);

        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().RefreshProducts();
        var missing = (await PageAsync(store)).Missing;
        Assert.Equal(["CANDLE-SOY", "SOAP-BAR", "TEA-TIN-250G"], missing.Select(m => m.Sku).Order());

        // too many at once is refused before anything is sent
        await using (var scope = store.Scope())
        {
            var tooMany = Result(await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>()
                .CreateProducts(Enumerable.Range(1, KashFlowProductsBatch.Size + 1).ToArray()));
            Assert.Equal(0, tooMany.Created);
            Assert.NotEmpty(tooMany.Errors);
        }

        // the page sends "all" as batches; a product without a SKU fails with why
        var ids = missing.Select(m => m.ProductId).Append(507).ToArray();
        var total = new ProductBatchResultModel();
        foreach (var batch in ids.Chunk(2))
        {
            await using var scope = store.Scope();
            var r = Result(await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().CreateProducts(batch));
            total.Created += r.Created;
            total.Failed += r.Failed;
            foreach (var e in r.Errors) total.Errors.Add(e);
        }
        Assert.Equal(3, total.Created);
        Assert.Equal(1, total.Failed);
        Assert.Contains(total.Errors, e => e.Contains("SKU", StringComparison.Ordinal));

        // nobody pressed Retry: the engine queued the waiting order again once its product existed
        Assert.True(await UntilAsync(() => State(store, 311) == "Synced"), Record(store, 311).LastError?.Message);
        Assert.Empty((await PageAsync(store)).Missing);
    }

    [Fact]
    public async Task Map_to_saves_the_sku_in_the_rules_and_the_product_is_ready_blank_maps_it_back()
    {
        await using var store = await SandboxStoreAsync();
        SeedCatalogue(store);
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().RefreshProducts();

        await using (var scope = store.Scope())
            Assert.IsType<RedirectToActionResult>(await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().MapProduct("SOAP-BAR", "GIFT-WRAP"));

        var settings = await LoadSettingsAsync(store);
        Assert.Equal("GIFT-WRAP", RulesDocument.Parse(settings.RulesJson).ProductCodeFor("SOAP-BAR"));
        Assert.True(RulesValidator.Validate(settings.RulesJson).Valid);
        var model = await PageAsync(store);
        Assert.Equal(["CANDLE-SOY"], model.Missing.Select(m => m.Sku));
        Assert.DoesNotContain(model.Unsold, u => u.Code == "GIFT-WRAP");
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Success" && n.Message.Contains("GIFT-WRAP"));

        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().MapProduct("SOAP-BAR", "");
        Assert.Equal("SOAP-BAR", RulesDocument.Parse((await LoadSettingsAsync(store)).RulesJson).ProductCodeFor("SOAP-BAR"));
        Assert.Equal(["CANDLE-SOY", "SOAP-BAR"], (await PageAsync(store)).Missing.Select(m => m.Sku).Order());

        // no SKU: said so, nothing saved
        var before = (await LoadSettingsAsync(store)).RulesJson;
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().MapProduct(" ", "GIFT-WRAP");
        Assert.Equal(before, (await LoadSettingsAsync(store)).RulesJson);
        Assert.Equal("Error", store.Notifications.Notifications[^1].Kind);
    }

    [Fact]
    public async Task Mapping_the_sku_of_a_waiting_order_to_a_product_KashFlow_has_sends_the_order()
    {
        await using var store = await SandboxStoreAsync();
        SeedCatalogue(store);
        var order = SampleOrders.SeedZeroRatedOrder(store, 312);
        store.Products.Products[502].Sku = "TEA-TIN-250G";
        await store.PublishAsync(new OrderPlacedEvent(order));
        Assert.True(await UntilAsync(() => State(store, 312) == "Failed"));
        Assert.Equal("UnknownProduct", Record(store, 312).LastError?.Code);

        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().MapProduct("TEA-TIN-250G", "TEA-TIN");

        // nobody pressed Retry: the order is mapped again under the new rules and posted
        Assert.True(await UntilAsync(() => State(store, 312) == "Synced"), Record(store, 312).LastError?.Message);
        Assert.DoesNotContain((await PageAsync(store)).Missing, m => m.Sku == "TEA-TIN-250G");
    }

    [Fact]
    public void The_rules_document_maps_a_sku_and_keeps_the_rest_of_the_document()
    {
        var rules = RulesDocument.Parse("""{"Nominals":{"Sales":4010,"SkuOverrides":{"X":4020}},"Vat":{"RateTolerance":"0.01"}}""");
        Assert.Equal("ABC", rules.ProductCodeFor("ABC"));

        rules.MapProductCode("ABC", " KF-ABC ");
        rules.MapProductCode("DEF", "DEF");
        var again = RulesDocument.Parse(rules.ToJson());

        Assert.Equal("KF-ABC", again.ProductCodeFor("ABC"));
        Assert.Equal("DEF", again.ProductCodeFor("DEF"));
        Assert.Equal(["ABC"], again.ProductCodes.Keys);
        Assert.Contains("SkuOverrides", again.ToJson());
        Assert.Contains("RateTolerance", again.ToJson());
        again.MapProductCode("ABC", null);
        Assert.DoesNotContain("ProductCodes", again.ToJson());
    }

    private static ProductBatchResultModel Result(IActionResult result) =>
        Assert.IsType<ProductBatchResultModel>(Assert.IsType<JsonResult>(result).Value);

    private static async Task<KashFlowSettings> LoadSettingsAsync(TestStore store)
    {
        await using var scope = store.Scope();
        return await scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>().LoadAsync();
    }

    private static RecordSummary Record(TestStore store, long orderId) =>
        Assert.Single(EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(), 1, 50).ToJson())).Items,
            r => r.OrderId == orderId);

    private static string? State(TestStore store, long orderId) =>
        EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, orderId.ToString(), 1, 50).ToJson())).Items
            .FirstOrDefault(r => r.OrderId == orderId)?.State;

    /// <summary>Waits for what the engine does on its own threads (bounded, about 60 s; not a timing assertion).</summary>
    private static async Task<bool> UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (condition())
                return true;
            await Task.Delay(100);
        }
        return condition();
    }

    [Fact]
    public async Task Map_to_offers_the_engines_suggestion_for_a_near_code_or_the_same_name_and_nothing_else()
    {
        await using var store = await SandboxStoreAsync();
        SampleOrders.SeedProduct(store, 601, "tea_tin", "Loose Leaf Tea Tin", 10).Published = true;    // KashFlow: TEA-TIN
        SampleOrders.SeedProduct(store, 602, "MUG-001", "Classic Mug", 10).Published = true;           // KashFlow: MUG-CLASSIC "Classic Mug"
        SampleOrders.SeedProduct(store, 603, "CANDLE-SOY", "Soy Candle", 10).Published = true;         // nothing like it
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().RefreshProducts();

        var model = await PageAsync(store);

        var tea = model.Missing.Single(m => m.Sku == "tea_tin");
        Assert.Equal("TEA-TIN", tea.SuggestedCode);
        Assert.Equal(0.97, tea.SuggestionConfidence);
        Assert.Contains("apart from case and punctuation", tea.SuggestionReason);
        var mug = model.Missing.Single(m => m.Sku == "MUG-001");
        Assert.Equal("MUG-CLASSIC", mug.SuggestedCode);
        Assert.Contains("same name", mug.SuggestionReason);
        Assert.Null(model.Missing.Single(m => m.Sku == "CANDLE-SOY").SuggestedCode);
        // a suggestion is only offered: nothing is mapped until the admin presses Map
        await using (var scope = store.Scope())
            Assert.Equal("tea_tin", RulesDocument.Parse((await scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>().LoadAsync()).RulesJson).ProductCodeFor("tea_tin"));
    }
}
