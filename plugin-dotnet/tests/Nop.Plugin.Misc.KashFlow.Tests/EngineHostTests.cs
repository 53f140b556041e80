using Nop.Plugin.Misc.KashFlow.Domain;
using Microsoft.Extensions.Time.Testing;
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
    public async Task After_a_failed_start_the_engine_is_tried_again_only_once_the_retry_delay_has_passed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        await using var store = new TestStore(time: clock);
        // Live over plain http: the engine refuses to start
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Live; s.BaseUrl = "http://127.0.0.1:9"; }, "u", "p", "w");
        Assert.False(await store.Host.EnsureStartedAsync());
        Assert.NotNull(store.Host.LastStartError);

        // fixed, but the poller's next passes within the delay do not try again (no start storm)
        await store.ConfigureAsync(s => { s.Mode = KashFlowMode.Sandbox; s.BaseUrl = null; }, "sandbox", "sandbox-password", "kashflow");
        clock.Advance(KashFlowDefaults.EngineRetryDelay - TimeSpan.FromSeconds(1));
        Assert.False(await store.Host.EnsureStartedAsync());
        Assert.Null(store.Host.Engine);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        Assert.Null(store.Host.LastStartError);
    }

    [Fact]
    public async Task The_poller_hands_the_spool_over_once_per_retry_delay_not_on_every_pass()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        await using var store = new TestStore(time: clock);
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        SampleOrders.SeedZeroRatedOrder(store, 142);
        await store.Poller.RunOnceAsync(); // starts the engine (and hands over the empty spool)
        Assert.NotNull(store.Host.Engine);

        store.Host.SpoolRebuild(142); // a snapshot to build again later
        clock.Advance(KashFlowDefaults.EngineRetryDelay - TimeSpan.FromSeconds(1));
        await store.Poller.RunOnceAsync();
        Assert.Single(store.Host.Spool.List()); // not yet: the spool is not read on every pass

        clock.Advance(TimeSpan.FromSeconds(1));
        await store.Poller.RunOnceAsync();
        Assert.True(store.Host.Spool.IsEmpty);
        Assert.Contains(EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [142]).ToJson())).Items,
            r => r.OrderId == 142);
    }

    [Fact]
    public async Task The_documents_the_plugin_dates_itself_take_the_time_from_its_clock()
    {
        var now = new DateTimeOffset(2026, 7, 1, 9, 30, 15, TimeSpan.Zero);
        await using var store = new TestStore(time: new FakeTimeProvider(now));
        await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        var order = SampleOrders.SeedZeroRatedOrder(store, 141);
        order.OrderStatus = Nop.Core.Domain.Orders.OrderStatus.Cancelled;
        // before the engine runs the document is spooled as it was written: its date is the clock's
        await store.PublishAsync(new Nop.Core.Domain.Orders.OrderStatusChangedEvent(order, Nop.Core.Domain.Orders.OrderStatus.Pending));
        Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
        var entry = Assert.Single(store.Host.Spool.List());
        using var doc = System.Text.Json.JsonDocument.Parse(entry.ReadDocument());
        Assert.Equal(now.UtcDateTime, doc.RootElement.GetProperty("CancelledDateUtc").GetDateTime().ToUniversalTime());
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
