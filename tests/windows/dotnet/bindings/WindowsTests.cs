// What only Windows can show about the native layer, run under wine by .ci/windows-test: the resolver
// picks native/win-x64/ (native/linux-x64/ sits beside it, as in the plugin zip), and the journal
// lives under an App_Data path with backslashes, spaces and non-ASCII letters, as on an IIS server.
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class WindowsTests
{
    [Fact]
    public void The_resolver_loads_the_win_x64_library_from_the_plugin_folder()
    {
        Assert.True(OperatingSystem.IsWindows(), "run this under Windows or wine");
        Assert.Equal("win-x64", NativeLibraryResolver.RuntimeId);
        Assert.Equal("kashflow_sync_native.dll", NativeLibraryResolver.FileName);
        Assert.False(string.IsNullOrEmpty(KashFlowEngine.NativeVersion));
        string expected = Path.Combine(AppContext.BaseDirectory, "native", "win-x64", "kashflow_sync_native.dll");
        Assert.Equal(Path.GetFullPath(expected), NativeLibraryResolver.LoadedFrom, ignoreCase: true);
        Assert.Contains('\\', NativeLibraryResolver.LoadedFrom!);
    }

    [Fact]
    public async Task A_journal_under_App_Data_with_spaces_and_backslashes_syncs_an_order()
    {
        string site = Path.Combine(Path.GetTempPath(), "kfs wine " + Guid.NewGuid().ToString("N")[..8], "Nop Shop (Café)");
        string data = Path.Combine(site, "App_Data", "KashFlow");
        Directory.CreateDirectory(data);
        try
        {
            Assert.Contains(' ', data);
            Assert.Contains('\\', data);
            string journal = Path.Combine(data, "kashflow-sync.sqlite");
            using (var engine = KashFlowEngine.Create(TestHost.Config(data, "Sandbox").Replace("journal.sqlite", "kashflow-sync.sqlite")))
            {
                var receipt = engine.EnqueueOrder(TestHost.Order(9101));
                Assert.Equal("Pending", receipt.State);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                string counts = engine.StatusCountsJson();
                while (!Synced(counts) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                    counts = engine.StatusCountsJson();
                }
                Assert.True(Synced(counts), counts);
            }
            Assert.True(File.Exists(journal), journal);
            Assert.True(new FileInfo(journal).Length > 0);

            // the same journal opens again after a restart (an app-pool recycle) and still knows the order
            using (var again = KashFlowEngine.Create(TestHost.Config(data, "Sandbox").Replace("journal.sqlite", "kashflow-sync.sqlite")))
            {
                Assert.True(Synced(again.StatusCountsJson()));
            }
        }
        finally
        {
            try { Directory.Delete(Path.GetDirectoryName(site)!, recursive: true); } catch (IOException) { }
        }
    }

    private static bool Synced(string countsJson)
    {
        using var doc = JsonDocument.Parse(countsJson);
        return Find(doc.RootElement, "Synced") is { ValueKind: JsonValueKind.Number } n && n.GetInt64() >= 1;
    }

    private static JsonElement? Find(JsonElement e, string name)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name == name) return p.Value;
                if (Find(p.Value, name) is { } inner) return inner;
            }
        return null;
    }
}
