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

        await plugin.InstallAsync(); // a second install does not duplicate the task
        Assert.Single(store.Tasks.Tasks);

        await plugin.UninstallAsync();
        Assert.False(store.Settings.Stored.ContainsKey(typeof(KashFlowSettings)));
        Assert.DoesNotContain(store.Localization.Resources.Keys, k => k.StartsWith(KashFlowDefaults.LocalePrefix, StringComparison.Ordinal));
        Assert.Equal("Save", store.Localization.Resources["Admin.Common.Save"]);
        Assert.Empty(store.Tasks.Tasks);
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
