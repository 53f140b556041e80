// The flows designer page without a browser: the controller's model (what the script gets), saving
// and refusing documents, going back to the default flow, the engine configuration carrying Flows,
// the shipped examples and the texts the script shows. FlowsBrowserTests drives the page in Chromium.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Shipping;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class FlowsPageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void The_controller_is_an_admin_controller_and_every_action_requires_manage_plugins()
    {
        var type = typeof(KashFlowFlowsController);
        Assert.Equal(AreaNames.ADMIN, type.GetCustomAttribute<AreaAttribute>()?.RouteValue);
        Assert.NotNull(type.GetCustomAttribute<AuthorizeAdminAttribute>());
        Assert.NotNull(type.GetCustomAttribute<AutoValidateAntiforgeryTokenAttribute>());
        var actions = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => typeof(Task<IActionResult>).IsAssignableFrom(m.ReturnType)).ToList();
        Assert.Equal(["DryRunFlows", "Flows", "SaveFlows", "UseDefaultFlow"], actions.Select(a => a.Name).Order());
        Assert.All(actions, a => Assert.Equal([StandardPermission.Configuration.MANAGE_PLUGINS],
            a.GetCustomAttributes<CheckPermissionAttribute>().SelectMany(p => p.PermissionSystemName)));
    }

    [Fact]
    public async Task A_store_that_never_edited_flows_shows_the_default_flow_and_the_examples()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();

        var view = Assert.IsType<ViewResult>(await controller.Flows());
        Assert.Equal(KashFlowFlowsController.FlowsView, view.ViewName);
        var model = Assert.IsType<FlowsPageModel>(view.Model);
        Assert.True(model.DefaultFlowInUse);
        Assert.False(model.Unsaved);
        Assert.Equal(FlowsPageModel.EmptyDocument, model.FlowsJson);
        Assert.Equal("[]", model.ErrorsJson);

        var examples = JsonNode.Parse(model.ExamplesJson)!.AsArray();
        Assert.Equal(FlowExamples.Keys, examples.Select(e => (string)e!["Key"]!));
        // the names are the locale resources (the fake localisation answers the key itself)
        Assert.Equal(FlowExamples.Keys.Select(k => KashFlowLocales.FlowsExamplePrefix + k), examples.Select(e => (string)e!["Name"]!));
        Assert.All(examples, e => Assert.Equal(1, (int)e!["Document"]!["Version"]!));

        var options = JsonNode.Parse(model.OptionsJson)!;
        Assert.Equal(FlowNames.Triggers, options["Triggers"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(FlowNames.StepKinds, options["StepKinds"]!.AsArray().Select(t => (string)t!));
        var texts = JsonNode.Parse(model.TextsJson)!.AsObject();
        Assert.Equal(KashFlowLocales.FlowScriptKeys.Order(), texts.Select(t => t.Key).Order());
    }

    [Fact]
    public async Task A_document_that_is_not_json_is_refused_with_the_reason_and_not_saved()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();

        var view = Assert.IsType<ViewResult>(await controller.SaveFlows("{\"Version\": 1, \"Flows\": ["));
        var model = Assert.IsType<FlowsPageModel>(view.Model);
        var error = Assert.Single(model.Errors);
        Assert.StartsWith(KashFlowLocales.FlowsNotJson, error.Message); // the page's language (the fake answers the key)
        Assert.Null(error.Box);
        Assert.True(model.Unsaved);
        Assert.Equal("{\"Version\": 1, \"Flows\": [", model.FlowsJson); // the merchant's work is kept on the page
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Error" && n.Message.Contains(KashFlowLocales.FlowsNotSaved, StringComparison.Ordinal));
        Assert.Null((await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);
    }

    [Fact]
    public async Task A_valid_document_is_saved_and_an_invalid_one_comes_back_with_each_error_on_its_box()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();
        var example = FlowExamples.All.Single(e => e.Key == "trade-on-dispatch").Json;

        Assert.IsType<RedirectToActionResult>(await controller.SaveFlows(example));
        Assert.Equal(example, (await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);

        // the engine (kfs_flows_validate) says what is wrong and on which box; nothing is stored
        var bad = JsonNode.Parse(example)!;
        bad["Flows"]![0]!["When"]!["All"]!.AsArray().Add(JsonNode.Parse("""{"Field":"OrderTotal","Op":"AtLeast","Value":"five hundred"}"""));
        bad["Flows"]![1]!["Steps"]![0]!["Step"] = "Pament";
        var view = Assert.IsType<ViewResult>(await controller.SaveFlows(bad.ToJsonString()));
        var model = Assert.IsType<FlowsPageModel>(view.Model);
        Assert.Contains(model.Errors, e => e is { FlowId: "trade-accounts", Box: "When.All[1]" } && e.Message!.Contains("five hundred"));
        Assert.Contains(model.Errors, e => e is { FlowId: "trade-payments", Box: "Steps[0]" });
        Assert.Equal(model.Errors.Count, JsonNode.Parse(model.ErrorsJson)!.AsArray().Count);
        Assert.True(model.Unsaved);
        Assert.Equal(example, (await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);
    }

    [Fact]
    public async Task Every_example_is_valid_and_the_engine_starts_with_saved_flows()
    {
        Assert.All(FlowExamples.All, e => Assert.True(FlowsValidator.Validate(e.Json, "empty", "not JSON: {0}").Valid, e.Key));
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.FlowsJson = FlowExamples.All[3].Json; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
    }

    [Fact]
    public async Task The_dry_run_shows_what_the_flows_would_have_done_with_the_last_orders_and_posts_nothing()
    {
        await using var store = new TestStore();
        SampleOrders.SeedZeroRatedOrder(store, 701);
        SampleOrders.SeedZeroRatedOrder(store, 702, customerId: 46, paymentStatus: PaymentStatus.Paid);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();
        var invoiceOnPaid = FlowExamples.All.Single(e => e.Key == "invoice-on-paid").Json;

        var view = Assert.IsType<ViewResult>(await controller.DryRunFlows(invoiceOnPaid, 10));
        var model = Assert.IsType<FlowsPageModel>(view.Model);
        Assert.Null(model.DryRunProblem);
        var report = model.DryRun!;
        Assert.Equal(2, report.Orders);
        // placed: no flow listens, nothing happens; paid: invoiced by "Invoice when paid"
        Assert.Contains(report.RowList, r => r is { OrderId: 701, Trigger: "OrderPlaced", Flow: null });
        Assert.DoesNotContain(report.RowList, r => r.OrderId == 701 && r.Trigger == "OrderPaid");
        var paid = Assert.Single(report.RowList, r => r is { OrderId: 702, Trigger: "OrderPaid" });
        Assert.Equal("invoice-on-paid", paid.Flow);
        Assert.Contains(paid.Steps!, s => s.StartsWith("Invoice", StringComparison.Ordinal));
        Assert.Equal(store.Orders.Orders[702].OrderTotal, decimal.Parse(paid.InvoiceTotal!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(model.Unsaved); // the flows on the page, not saved
        Assert.Null((await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.Null(store.Host.Engine);

        // an invalid document: the engine's refusal is on the page, not an error page
        var refused = Assert.IsType<FlowsPageModel>(Assert.IsType<ViewResult>(await controller.DryRunFlows("""{"Version":1,"Flows":[{}]}""", 10)).Model);
        Assert.Null(refused.DryRun);
        Assert.StartsWith(KashFlowLocales.FlowsDryRunFailed, refused.DryRunProblem);
    }

    [Fact]
    public async Task The_dry_run_takes_the_last_thousand_orders()
    {
        await using var store = new TestStore();
        for (var id = 1; id <= 1001; id++)
            SampleOrders.SeedZeroRatedOrder(store, 10_000 + id, customerId: 45 + id % 7, paymentStatus: id % 2 == 0 ? PaymentStatus.Paid : PaymentStatus.Pending);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var model = Assert.IsType<FlowsPageModel>(Assert.IsType<ViewResult>(
            await controller.DryRunFlows(FlowExamples.All.Single(e => e.Key == "rollup-guests").Json, 5000)).Model);

        Assert.Null(model.DryRunProblem);
        Assert.Equal(FlowDryRun.MaxOrders, model.DryRunCount); // asked for 5,000: at most 1,000
        Assert.Equal(1000, model.DryRun!.Orders);
        Assert.Equal(1000, model.DryRun.RowList.Count(r => r.Trigger == "OrderPlaced" && r.Flow == "registered"));
        output.WriteLine($"dry run of 1,000 orders: engine {model.DryRun.ElapsedMs} ms, page action (snapshots + engine) {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Going_back_to_the_default_flow_forgets_the_saved_flows()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.FlowsJson = FlowExamples.All[1].Json);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>();
        var before = Assert.IsType<FlowsPageModel>(Assert.IsType<ViewResult>(await controller.Flows()).Model);
        Assert.False(before.DefaultFlowInUse);
        Assert.Equal(FlowExamples.All[1].Json, before.FlowsJson);

        Assert.IsType<RedirectToActionResult>(await controller.UseDefaultFlow());

        Assert.Null((await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);
        var after = Assert.IsType<FlowsPageModel>(Assert.IsType<ViewResult>(await controller.Flows()).Model);
        Assert.True(after.DefaultFlowInUse);
    }

    [Fact]
    public void The_engine_configuration_carries_flows_only_once_the_merchant_saved_some()
    {
        var settings = new KashFlowSettings();
        var credentials = new KashFlowCredentials("u", "p", "w");
        var none = JsonNode.Parse(EngineConfigBuilder.Build(settings, credentials, "journal.sqlite"))!.AsObject();
        Assert.False(none.ContainsKey("Flows"));

        settings.FlowsJson = FlowExamples.All[2].Json;
        var flows = JsonNode.Parse(EngineConfigBuilder.Build(settings, credentials, "journal.sqlite"))!["Flows"]!;
        Assert.Equal("trade-accounts", (string)flows["Flows"]![0]!["Id"]!);
        Assert.Equal("OrderShipped", (string)flows["Flows"]![0]!["Trigger"]!);
    }

    [Fact]
    public void The_examples_use_only_the_contract_s_triggers_fields_ops_and_steps()
    {
        // every example of the repository (validated by the engine's tests too) is offered
        Assert.Equal(Directory.GetFiles(Path.Combine(FixtureOrders.RepositoryRoot(), "examples", "flows"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(),
            FlowExamples.Keys.Order());
        foreach (var example in FlowExamples.All)
        {
            var doc = JsonNode.Parse(example.Json)!;
            Assert.Equal(1, (int)doc["Version"]!);
            var ids = new HashSet<string>();
            foreach (var flow in doc["Flows"]!.AsArray())
            {
                Assert.Matches("^[a-z0-9-]{1,40}$", (string)flow!["Id"]!);
                Assert.True(ids.Add((string)flow["Id"]!), $"{example.Key}: flow id {flow["Id"]} twice");
                Assert.Contains((string)flow["Trigger"]!, FlowNames.Triggers);
                Assert.All(flow["Steps"]!.AsArray(), s => Assert.Contains((string)s!["Step"]!, FlowNames.StepKinds));
                foreach (var test in Tests(flow["When"]))
                {
                    Assert.Contains((string)test["Field"]!, FlowNames.Fields);
                    Assert.Contains((string)test["Op"]!, FlowNames.Ops);
                }
            }
        }

        static IEnumerable<JsonNode> Tests(JsonNode? node) => node switch
        {
            null => [],
            JsonObject o when o["All"] is JsonArray all => all.SelectMany(Tests),
            JsonObject o when o["Any"] is JsonArray any => any.SelectMany(Tests),
            JsonObject o when o["Not"] is { } not => Tests(not),
            _ => [node],
        };
    }

    [Fact]
    public void Every_trigger_field_operator_and_step_has_a_text_for_the_designer()
    {
        var keys = KashFlowLocales.FlowScriptKeys.ToHashSet();
        var wanted = FlowNames.Triggers.Select(t => "Trigger." + t)
            .Concat(FlowNames.Fields.Select(f => "Field." + f))
            .Concat(FlowNames.Ops.Select(o => "Op." + o))
            .Concat(FlowNames.StepKinds.Select(s => "Step." + s))
            .Concat(KashFlowLocales.FlowOrderStatuses.Select(s => "OrderStatus." + s));
        Assert.All(wanted, k => Assert.Contains(k, keys));
        // and every key the script asks for by name is one of them
        var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Content", "flows-designer.js"));
        var asked = System.Text.RegularExpressions.Regex.Matches(script, @"\bt\('([A-Za-z.]+)'\)").Select(m => m.Groups[1].Value).Distinct();
        Assert.All(asked, k => Assert.Contains(k, keys));
        // installed with the plugin's other resources
        Assert.All(keys, k => Assert.True(KashFlowLocales.All.ContainsKey(KashFlowLocales.FlowsJsPrefix + k)));
    }

    [Theory]
    [InlineData(OrderStatus.Pending, PaymentStatus.Pending, ShippingStatus.NotYetShipped, new string[0])]
    [InlineData(OrderStatus.Processing, PaymentStatus.Paid, ShippingStatus.PartiallyShipped, new[] { "OrderPaid", "OrderShipped" })]
    [InlineData(OrderStatus.Complete, PaymentStatus.PartiallyRefunded, ShippingStatus.Delivered, new[] { "OrderPaid", "OrderShipped", "OrderDelivered", "OrderCompleted", "OrderRefunded" })]
    [InlineData(OrderStatus.Cancelled, PaymentStatus.Voided, ShippingStatus.ShippingNotRequired, new[] { "OrderCancelled" })]
    public void The_dry_run_gives_each_order_the_events_its_state_shows(OrderStatus status, PaymentStatus payment, ShippingStatus shipping, string[] expected)
    {
        var order = new Order { Id = 1, OrderStatus = status, PaymentStatus = payment, ShippingStatus = shipping };
        Assert.Equal(expected, FlowDryRun.EventsOf(order));
    }

    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("not json", new string[0])]
    [InlineData("{\"Version\":1,\"Flows\":[{\"Trigger\":\"CustomerChanged\",\"Enabled\":true},{\"Trigger\":\"ProductChanged\",\"Enabled\":false},{\"Trigger\":\"OrderShipped\"}]}",
        new[] { "CustomerChanged", "OrderShipped" })]
    public void Enabled_triggers_are_read_from_the_document(string? json, string[] expected)
    {
        Assert.Equal(expected.Order(), FlowDocuments.EnabledTriggers(json).Order());
    }
}
