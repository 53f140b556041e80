using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>One engine per application, following the settings (real native engine).</summary>
public class EngineHostTests
{
    [Fact]
    public async Task The_engine_follows_the_settings_reconfigured_restarted_or_stopped()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        var first = store.Host.Engine;
        Assert.NotNull(first);
        Assert.True(File.Exists(store.Paths.JournalPath));
        Assert.StartsWith(Path.Combine(store.ContentRoot, "App_Data", "KashFlow"), store.Paths.JournalPath);

        await store.ConfigureAsync(s => s.RequestsPerSecond = 2);
        await store.Host.ApplySettingsAsync();
        Assert.Same(first, store.Host.Engine); // reconfigured in place

        await store.ConfigureAsync(s => { s.Mode = KashFlowMode.Live; s.BaseUrl = "https://127.0.0.1:9"; });
        await store.Host.ApplySettingsAsync();
        Assert.NotNull(store.Host.Engine);
        Assert.NotSame(first, store.Host.Engine); // a new engine for the other KashFlow

        await store.ConfigureAsync(s => s.Enabled = false);
        await store.Host.ApplySettingsAsync();
        Assert.Null(store.Host.Engine);
        Assert.False(await store.Host.EnsureStartedAsync());
        Assert.Contains(store.Logger.Entries, e => e.Message.Contains("sync engine started in Sandbox mode"));
    }

    [Fact]
    public async Task Settings_the_engine_refuses_are_reported_to_the_admin()
    {
        await using var store = new TestStore();
        // Live mode must use https: the engine refuses plain http, the host says so
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Live; s.BaseUrl = "http://127.0.0.1:9"; }, "u", "pw-refused-1", "w");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Host.ApplySettingsAsync());
        Assert.Contains("https", error.Message);
        Assert.DoesNotContain("pw-refused-1", error.Message);
        Assert.Null(store.Host.Engine);
    }

    [Fact]
    public async Task The_hosted_poller_starts_the_engine_and_stops_it_with_the_application()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        var order = SampleOrders.SeedZeroRatedOrder(store, 140);
        await store.PublishAsync(new Nop.Core.Domain.Orders.OrderPlacedEvent(order)); // before start: spooled
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10))); // the hand-off's writer journals it
        Assert.Single(store.Host.Spool.List());

        await store.Poller.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100 && (store.Host.Engine is null || !store.Host.Spool.IsEmpty); i++)
            await Task.Delay(100);
        Assert.NotNull(store.Host.Engine);
        Assert.True(store.Host.Spool.IsEmpty); // handed over at start

        await store.Poller.StopAsync(CancellationToken.None);
        Assert.Null(store.Host.Engine);
    }
}
