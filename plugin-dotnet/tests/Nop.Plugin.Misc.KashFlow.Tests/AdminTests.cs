using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Menu;
using Nop.Web.Framework.Mvc.Filters;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class AdminTests
{
    public static IEnumerable<object[]> Actions() => typeof(KashFlowAdminController)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => typeof(Task<IActionResult>).IsAssignableFrom(m.ReturnType))
        .Select(m => new object[] { m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")" });

    [Fact]
    public void The_controller_is_an_admin_area_controller_with_antiforgery()
    {
        var type = typeof(KashFlowAdminController);
        Assert.Equal(AreaNames.ADMIN, type.GetCustomAttribute<AreaAttribute>()?.RouteValue);
        Assert.NotNull(type.GetCustomAttribute<AuthorizeAdminAttribute>());
        Assert.NotNull(type.GetCustomAttribute<AutoValidateAntiforgeryTokenAttribute>());
        Assert.True(Actions().Count() >= 9);
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public void Every_action_requires_manage_plugins(string action)
    {
        var method = typeof(KashFlowAdminController).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Single(m => m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")" == action);
        var permission = method.GetCustomAttributes<CheckPermissionAttribute>().SelectMany(a => a.PermissionSystemName);
        Assert.Equal([StandardPermission.Configuration.MANAGE_PLUGINS], permission);
    }

    [Fact]
    public void Every_post_action_has_its_own_action_name_and_no_form_value_selector()
    {
        // In a real 4.90 store, two POST actions named "Configure" told apart by FormValueRequired
        // ("save" / "testconnection") routed only one button per route: POST /Admin/KashFlowAdmin/Configure
        // with "save" answered 404. Each POST is its own action; a second button uses formaction.
        var posts = typeof(KashFlowAdminController).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetCustomAttribute<HttpPostAttribute>() is not null)
            .ToList();
        Assert.NotEmpty(posts);
        foreach (var m in posts)
            Assert.DoesNotContain(m.GetCustomAttributes(), a => a.GetType().Name == "FormValueRequiredAttribute");
        var names = posts.Select(m => m.GetCustomAttribute<ActionNameAttribute>()?.Name ?? m.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains("TestConnection", names);
    }

    [Fact]
    public async Task Configure_shows_the_settings_without_secrets()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = false; s.RequestsPerSecond = 4; }, "user", "pass-word", "word");
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();

        var view = Assert.IsType<ViewResult>(await controller.Configure());
        Assert.Equal(KashFlowAdminController.ConfigureView, view.ViewName);
        var model = Assert.IsType<ConfigurationModel>(view.Model);
        Assert.Equal(4, model.RequestsPerSecond);
        Assert.True(model.PasswordStored);
        Assert.Null(model.Password);
        Assert.False(model.EngineRunning);
        Assert.Equal(2, model.PaymentMethodMappings.Count(m => string.IsNullOrEmpty(m.SystemName)));
    }

    [Fact]
    public async Task Saving_with_the_engine_refusing_to_start_reports_it_and_keeps_the_settings()
    {
        // Enabled with a journal path under a file: the engine cannot start, the admin is told why
        var file = Path.GetTempFileName();
        await using var store = new TestStore(dataDirectory: Path.Combine(file, "KashFlow"));
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var model = new ConfigurationModel { Enabled = true, ModeId = 0, RequestsPerSecond = 5, TimeoutSeconds = 30, RulesJson = "{}", Password = "pw-123456" };

        var result = Assert.IsType<RedirectToActionResult>(await controller.Configure(model));
        Assert.Equal("Configure", result.ActionName);
        Assert.True((await store.Settings.LoadSettingAsync<KashFlowSettings>()).Enabled);
        var (kind, message) = Assert.Single(store.Notifications.Notifications);
        Assert.Equal("Error", kind);
        Assert.DoesNotContain("pw-123456", message);
        Assert.DoesNotContain("pw-123456", store.Logger.AllText);
        File.Delete(file);
    }

    [Fact]
    public async Task Log_pages_without_a_running_engine_say_so()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();

        var log = Assert.IsType<ViewResult>(await controller.SyncLog());
        var search = Assert.IsType<SyncRecordSearchModel>(log.Model);
        Assert.False(search.EngineRunning);
        Assert.Equal(15, search.Length);
        Assert.Equal(7, search.AvailableStates.Count); // "All" + six states

        var list = Assert.IsType<JsonResult>(await controller.SyncRecordList(search));
        Assert.Empty(Assert.IsType<SyncRecordListModel>(list.Value).Data);

        Assert.IsType<RedirectToActionResult>(await controller.RetryAllFailed());
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Error");
    }

    [Fact]
    public async Task The_log_page_says_what_the_connection_state_means()
    {
        await using var store = new TestStore();
        store.Localization.Resources[KashFlowLocales.CircuitClosed] = KashFlowLocales.All[KashFlowLocales.CircuitClosed];
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();

        var search = Assert.IsType<SyncRecordSearchModel>(Assert.IsType<ViewResult>(await controller.SyncLog()).Model);
        Assert.True(search.EngineRunning);
        Assert.Equal("working", search.Circuit); // the breaker's "Closed" would read as a fault
    }

    [Fact]
    public async Task Preview_of_an_unknown_order_explains()
    {
        await using var store = new TestStore();
        store.Localization.Resources[KashFlowLocales.OrderNotFound] = KashFlowLocales.All[KashFlowLocales.OrderNotFound];
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var view = Assert.IsType<ViewResult>(await controller.Preview("no-such-order"));
        var model = Assert.IsType<PreviewModel>(view.Model);
        Assert.Equal("There is no order no-such-order.", model.Error);
        Assert.Null(model.PreviewJson);
    }

    [Fact]
    public async Task Menu_item_goes_under_configuration_for_those_who_may_manage_plugins()
    {
        await using var store = new TestStore();
        AdminMenuItem Root() => new()
        {
            SystemName = "Home",
            ChildNodes = [new AdminMenuItem { SystemName = "Configuration", ChildNodes = [new AdminMenuItem { SystemName = "Local plugins" }, new AdminMenuItem { SystemName = "All plugins and themes" }] }],
        };

        var denied = Root();
        await store.PublishAsync(new AdminMenuCreatedEvent(new FakeAdminMenu(), denied));
        Assert.Null(denied.GetItemBySystemName(KashFlowDefaults.MenuSystemName));

        // allowed, but not installed yet: nopCommerce raises the event before installation completes
        store.Permissions.Granted.Add(StandardPermission.Configuration.MANAGE_PLUGINS);
        store.PluginInstalled = false;
        var notInstalled = Root();
        await store.PublishAsync(new AdminMenuCreatedEvent(new FakeAdminMenu(), notInstalled));
        Assert.Null(notInstalled.GetItemBySystemName(KashFlowDefaults.MenuSystemName));
        store.PluginInstalled = true;

        // a menu without "Local plugins": before "All plugins and themes"
        var other = new AdminMenuItem { SystemName = "Home", ChildNodes = [new AdminMenuItem { SystemName = "Configuration", ChildNodes = [new AdminMenuItem { SystemName = "Settings" }, new AdminMenuItem { SystemName = "All plugins and themes" }] }] };
        await store.PublishAsync(new AdminMenuCreatedEvent(new FakeAdminMenu(), other));
        Assert.Equal(["Settings", KashFlowDefaults.MenuSystemName, "All plugins and themes"], other.GetItemBySystemName("Configuration").ChildNodes.Select(n => n.SystemName));

        var allowed = Root();
        await store.PublishAsync(new AdminMenuCreatedEvent(new FakeAdminMenu(), allowed));
        var configuration = allowed.GetItemBySystemName("Configuration");
        Assert.Equal(["Local plugins", KashFlowDefaults.MenuSystemName, "All plugins and themes"], configuration.ChildNodes.Select(n => n.SystemName));
        var item = configuration.ChildNodes[1];
        Assert.Equal(["/Admin/KashFlowAdmin/Configure", "/Admin/KashFlowSetup/Setup", "/Admin/KashFlowProducts/Products", "/Admin/KashFlowAdmin/SyncLog", "/Admin/KashFlowFlows/Flows"],
            item.ChildNodes.Select(n => n.Url));
        Assert.All(item.ChildNodes, n => Assert.Equal([StandardPermission.Configuration.MANAGE_PLUGINS], n.PermissionNames));
    }
}
