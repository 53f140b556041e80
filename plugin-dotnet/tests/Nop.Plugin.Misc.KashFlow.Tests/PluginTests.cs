using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class PluginTests
{
    [Fact]
    public async Task Install_adds_settings_locales_and_task_and_uninstall_removes_them()
    {
        await using var store = new TestStore();
        store.Localization.Resources["Admin.Common.Save"] = "Save"; // someone else's resource survives
        await using var scope = store.Scope();
        var plugin = scope.ServiceProvider.GetRequiredService<KashFlowPlugin>();

        await plugin.InstallAsync();
        Assert.True(store.Settings.Stored.ContainsKey(typeof(KashFlowSettings)));
        Assert.False((await store.Settings.LoadSettingAsync<KashFlowSettings>()).Enabled);
        foreach (var (key, value) in KashFlowLocales.All)
            Assert.Equal(value, store.Localization.Resources[key]);
        var task = Assert.Single(store.Tasks.Tasks);
        Assert.Equal(KashFlowDefaults.SyncTaskType, task.Type);
        Assert.True(task.Enabled);
        Assert.EndsWith(", Nop.Plugin.Misc.KashFlow", task.Type);
        Assert.NotNull(Type.GetType(task.Type)); // nopCommerce resolves the task by this name

        // the KashFlow block on the order page: a widget nopCommerce renders only when active
        Assert.Contains(KashFlowDefaults.SystemName, (await store.Settings.LoadSettingAsync<Nop.Core.Domain.Cms.WidgetSettings>()).ActiveWidgetSystemNames);
        Assert.Equal(["admin_order_details_block"], await plugin.GetWidgetZonesAsync());
        Assert.Equal(typeof(Components.OrderKashFlowViewComponent), plugin.GetWidgetViewComponent("admin_order_details_block"));

        await plugin.InstallAsync(); // a second install does not duplicate the task
        Assert.Single(store.Tasks.Tasks);
        Assert.Single((await store.Settings.LoadSettingAsync<Nop.Core.Domain.Cms.WidgetSettings>()).ActiveWidgetSystemNames, KashFlowDefaults.SystemName);

        await plugin.UninstallAsync();
        Assert.False(store.Settings.Stored.ContainsKey(typeof(KashFlowSettings)));
        Assert.DoesNotContain(store.Localization.Resources.Keys, k => k.StartsWith(KashFlowDefaults.LocalePrefix, StringComparison.Ordinal));
        Assert.Equal("Save", store.Localization.Resources["Admin.Common.Save"]);
        Assert.Empty(store.Tasks.Tasks);
        Assert.DoesNotContain(KashFlowDefaults.SystemName, (await store.Settings.LoadSettingAsync<Nop.Core.Domain.Cms.WidgetSettings>()).ActiveWidgetSystemNames);
    }

    [Fact]
    public async Task Update_over_an_older_install_adds_the_new_locales_and_keeps_the_settings()
    {
        // the real store: a package copied over 4.90.1 showed the raw key
        // plugins.misc.kashflow.synclog.circuit.closed, because InstallAsync (the only place that added
        // locales) never runs on an upgrade
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var plugin = scope.ServiceProvider.GetRequiredService<KashFlowPlugin>();
        await plugin.InstallAsync();
        store.Localization.Resources.TryRemove(KashFlowLocales.CircuitClosed, out _); // what the older release lacked
        store.Localization.Resources[KashFlowLocales.Circuit] = "old text";
        var settings = await store.Settings.LoadSettingAsync<KashFlowSettings>();
        settings.Enabled = true;
        await store.Settings.SaveSettingAsync(settings);
        store.Tasks.Tasks.Clear();
        var widgets = await store.Settings.LoadSettingAsync<Nop.Core.Domain.Cms.WidgetSettings>();
        widgets.ActiveWidgetSystemNames.Clear(); // an install from before the order-page block
        await store.Settings.SaveSettingAsync(widgets);

        await plugin.UpdateAsync("4.90.1", "4.90.2");

        foreach (var (key, value) in KashFlowLocales.All)
            Assert.Equal(value, store.Localization.Resources[key]);
        Assert.True((await store.Settings.LoadSettingAsync<KashFlowSettings>()).Enabled);
        Assert.Equal(KashFlowDefaults.SyncTaskType, Assert.Single(store.Tasks.Tasks).Type);
        // an upgrade from before the order-page block switches the widget on
        Assert.Contains(KashFlowDefaults.SystemName, (await store.Settings.LoadSettingAsync<Nop.Core.Domain.Cms.WidgetSettings>()).ActiveWidgetSystemNames);
    }

    // nopCommerce calls UpdateAsync only when plugin.json's Version changes, so a release whose locales
    // differ from the last released ones under the same Version would leave the store without them.
    // When this fails: bump "Version" in plugin.json (and <Version> in the csproj) and add the new
    // version's fingerprint here; never change a released version's line.
    private static readonly Dictionary<string, string> LocaleFingerprints = new()
    {
        ["4.90.2"] = "DCC794A6E249EA23B9F63C280A5F88C138D72D2F002E9B92E312A0BEB823ECCB",
        ["4.90.3"] = "BF0ACBF264194057B4B1DA88527A2D4CAA8BDD960658F0B8F6CBB1F0098F5AEE",
        ["4.90.4"] = "AB62E12CE881AC91F25DCC1E1ECD74B311B8203496E192923D5500F236B033CF",
        ["4.90.5"] = "F7D6FBD6B8A61D4586CC7891B03FA6353BF089B7DC43864D5C99A9849A3E8280",
        ["4.90.6"] = "CE81010EB754AA419AC97A2F64B49DAFB470FD036FB17D136B9651F7DDBCEBF8",
        ["4.90.7"] = "09E0B71D623440E6084079638B9CCB1B45E933A0FC227B1EAF4638D780A16EFE",
    };

    [Fact]
    public void Locales_changed_only_with_a_new_plugin_version()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "plugin.json")));
        var version = doc.RootElement.GetProperty("Version").GetString()!;
        var text = string.Join("\n", KashFlowLocales.All.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + e.Value));
        var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.True(LocaleFingerprints.TryGetValue(version, out var expected),
            $"plugin.json Version {version} has no locale fingerprint; add [\"{version}\"] = \"{fingerprint}\"");
        Assert.True(expected == fingerprint,
            $"the locales changed but plugin.json still says {version}, so nopCommerce would not run UpdateAsync on an upgrade: bump the Version and add its fingerprint {fingerprint}");
    }

    [Fact]
    public async Task Configuration_page_url_is_the_configure_route()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        Assert.Equal($"/route/{KashFlowDefaults.ConfigurationRouteName}", scope.ServiceProvider.GetRequiredService<KashFlowPlugin>().GetConfigurationPageUrl());
    }

    [Fact]
    public void Every_locale_key_used_in_code_has_english_text_under_the_prefix()
    {
        var constants = typeof(KashFlowLocales).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.NotEmpty(constants);
        foreach (var key in constants)
        {
            Assert.StartsWith(KashFlowDefaults.LocalePrefix + ".", key);
            Assert.True(KashFlowLocales.All.ContainsKey(key), $"no text for {key}");
            Assert.False(string.IsNullOrWhiteSpace(KashFlowLocales.All[key]));
        }
    }

    [Fact]
    public void Every_view_string_is_a_locale_resource()
    {
        var views = Path.Combine(AppContext.BaseDirectory, "Views");
        Assert.True(Directory.Exists(views), "views are copied to the output");
        foreach (var file in Directory.GetFiles(views, "*.cshtml"))
        {
            var text = File.ReadAllText(file);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"T\(""([^""]+)""\)"))
                Assert.True(KashFlowLocales.All.ContainsKey(m.Groups[1].Value) || m.Groups[1].Value.StartsWith("Admin.", StringComparison.Ordinal),
                    $"{Path.GetFileName(file)} uses {m.Groups[1].Value}");
        }
    }

    [Fact]
    public void Plugin_json_declares_the_plugin()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "plugin.json")));
        var root = doc.RootElement;
        Assert.Equal("Misc", root.GetProperty("Group").GetString());
        Assert.Equal(KashFlowDefaults.SystemName, root.GetProperty("SystemName").GetString());
        Assert.Equal(["4.90"], root.GetProperty("SupportedVersions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(typeof(KashFlowPlugin).Assembly.GetName().Name + ".dll", root.GetProperty("FileName").GetString());
    }
}
