using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The crash catch-up takes only what the sync would have taken: never an order placed while sync was off
/// or the plugin was not installed (those are offered on the Backfill page), with the real hand-off,
/// marker and journal.
/// </summary>
public class SyncWindowTests
{
    private static Task ConfigureQuietSandboxAsync(TestStore store, bool enabled = true) =>
        store.ConfigureAsync(s =>
        {
            s.Enabled = enabled;
            s.Mode = KashFlowMode.Sandbox;
            s.SyncCustomers = s.CreateInvoices = s.RecordPayments = s.PullStock = false;
        }, "sandbox", "sandbox-password", "kashflow");

    private static Order Seed(TestStore store, int id, DateTime createdUtc)
    {
        var order = SampleOrders.SeedZeroRatedOrder(store, id);
        order.CreatedOnUtc = createdUtc;
        return order;
    }

    private static bool Journalled(TestStore store, int orderId) =>
        EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [orderId]).ToJson())).Items.Count > 0;

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "kashflow-window-" + Guid.NewGuid().ToString("N"));

    private static string StoredSettings(TestStore store) => store.Settings.Stored[typeof(KashFlowSettings)];

    [Fact]
    public void Switching_on_and_off_stamps_the_window_durably()
    {
        var at = new DateTime(2026, 7, 1, 9, 0, 0, DateTimeKind.Utc);
        var settings = new KashFlowSettings { Enabled = true };
        KashFlowSettingsManager.StampSyncWindow(settings, at);
        Assert.Equal(at, settings.SyncOnSinceUtc);
        KashFlowSettingsManager.StampSyncWindow(settings, at.AddHours(1)); // a save while on keeps it
        Assert.Equal(at, settings.SyncOnSinceUtc);
        settings.Enabled = false;
        KashFlowSettingsManager.StampSyncWindow(settings, at.AddHours(2));
        Assert.Null(settings.SyncOnSinceUtc);
        Assert.Equal(at.AddHours(2), settings.BackfillFromUtc);
        KashFlowSettingsManager.StampSyncWindow(settings, at.AddHours(3)); // a save while off keeps the earliest
        Assert.Equal(at.AddHours(2), settings.BackfillFromUtc);
        settings.Enabled = true;
        KashFlowSettingsManager.StampSyncWindow(settings, at.AddHours(4));
        Assert.Equal(at.AddHours(4), settings.SyncOnSinceUtc);
        Assert.Equal(at.AddHours(2), settings.BackfillFromUtc);
        // the catch-up's window: the floor less the margin, never behind the switch-on
        Assert.Equal(at.AddHours(4), OrderCatchUp.Window(at.AddHours(4).AddMinutes(1), at.AddHours(4)));
        Assert.Equal(at.AddHours(5) - OrderCatchUp.Margin, OrderCatchUp.Window(at.AddHours(5), at.AddHours(4)));
        Assert.Equal(at - OrderCatchUp.Margin, OrderCatchUp.Window(at, null));
    }

    [Fact]
    public async Task An_order_placed_while_sync_was_off_is_not_caught_up_after_a_crash_but_offered_as_a_backfill()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero));
        var t0 = clock.GetUtcNow().UtcDateTime;
        var data = NewDataDirectory();
        string markerLeft, settingsLeft;
        string ownMarker;
        await using (var before = new TestStore(dataDirectory: data, time: clock))
        {
            await ConfigureQuietSandboxAsync(before);
            Assert.True(await before.Host.EnsureStartedAsync(), before.Host.LastStartError);
            clock.Advance(TimeSpan.FromMinutes(1));
            await before.PublishAsync(new OrderPlacedEvent(Seed(before, 900, clock.GetUtcNow().UtcDateTime)));
            Assert.True(before.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));

            clock.Advance(TimeSpan.FromMinutes(4)); // 09:05 off
            await ConfigureQuietSandboxAsync(before, enabled: false);
            await before.Host.ApplySettingsAsync();
            clock.Advance(TimeSpan.FromMinutes(1)); // 09:06 a customer checks out while sync is off
            await before.PublishAsync(new OrderPlacedEvent(Seed(before, 901, clock.GetUtcNow().UtcDateTime)));
            clock.Advance(TimeSpan.FromMinutes(2)); // 09:08 on again: 901 is 2 minutes before it, inside the old 5-minute margin
            await ConfigureQuietSandboxAsync(before);
            await before.Host.ApplySettingsAsync();
            clock.Advance(TimeSpan.FromSeconds(10));
            await before.PublishAsync(new OrderPlacedEvent(Seed(before, 902, clock.GetUtcNow().UtcDateTime)));
            ownMarker = ((KashFlowEngineHost)before.Host).HandOffMarkerPath;
            Assert.True(File.Exists(ownMarker));
            markerLeft = File.ReadAllText(ownMarker);
            settingsLeft = StoredSettings(before);
            Assert.False(Journalled(before, 901), "sync was off when 901 was placed");
        }
        // kill -9: the marker stays behind (the settings are in the store database)
        File.WriteAllText(ownMarker, markerLeft);

        await using var store = new TestStore(dataDirectory: data, time: clock);
        store.Settings.Stored[typeof(KashFlowSettings)] = settingsLeft;
        Seed(store, 900, t0.AddMinutes(1));
        Seed(store, 901, t0.AddMinutes(6));
        Seed(store, 902, t0.AddMinutes(8).AddSeconds(10));
        Seed(store, 903, t0.AddMinutes(8).AddSeconds(20)); // committed to the store, its event lost with the process
        Assert.Equal(t0.AddMinutes(8), store.Host.CatchUpFromUtc);
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);

        Assert.Null(store.Host.CatchUpFromUtc);
        Assert.True(Journalled(store, 903), "the catch-up rebuilds what the crash lost");
        Assert.True(Journalled(store, 902));
        Assert.False(Journalled(store, 901), "an order placed while sync was off is never posted silently");
        Assert.Contains(store.Logger.Entries, e => e.Message.Contains($"since {t0.AddMinutes(8):u}") && e.Message.Contains("not clean"));

        // offered instead: the Backfill page lists it, and sending it is the admin's deliberate act
        await using (var scope = store.Scope())
        {
            var backfill = scope.ServiceProvider.GetRequiredService<OrderBackfill>();
            var list = await backfill.ListAsync();
            Assert.Equal([901], list.Orders.Select(o => o.OrderId));
            Assert.Equal(t0.AddMinutes(3), list.FromUtc); // widened to where the old catch-up would have looked
            Assert.Equal(t0.AddMinutes(8), list.ToUtc);
            Assert.Equal(new BackfillResult(1, 0, 0), await backfill.EnqueueAsync(null));
        }
        Assert.True(Journalled(store, 901));
        await using (var scope = store.Scope())
        {
            Assert.Empty((await scope.ServiceProvider.GetRequiredService<OrderBackfill>().ListAsync()).Orders);
        }
        Assert.Null((await store.Settings.LoadSettingAsync<KashFlowSettings>()).BackfillFromUtc);
    }

    [Fact]
    public async Task Orders_placed_while_the_plugin_was_uninstalled_are_not_caught_up_from_an_old_marker()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 7, 2, 10, 0, 0, TimeSpan.Zero));
        var t0 = clock.GetUtcNow().UtcDateTime;
        var data = NewDataDirectory();
        Directory.CreateDirectory(data);
        // a crash at 10:00 left its marker; then the plugin was uninstalled (its settings deleted)
        File.WriteAllText(Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName), t0.ToString("O"));
        await using var store = new TestStore(dataDirectory: data, time: clock);
        Seed(store, 950, t0.AddMinutes(2)); // placed while the plugin was not installed
        clock.Advance(TimeSpan.FromMinutes(4)); // 10:04 installed again and switched on
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowPlugin>().InstallAsync();
        await ConfigureQuietSandboxAsync(store);
        clock.Advance(TimeSpan.FromSeconds(30));
        Seed(store, 951, clock.GetUtcNow().UtcDateTime); // placed since, and lost

        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        Assert.True(Journalled(store, 951));
        Assert.False(Journalled(store, 950), "the old marker's floor must not reach into the time the plugin was not installed");
        await using var listScope = store.Scope();
        Assert.Equal([950], (await listScope.ServiceProvider.GetRequiredService<OrderBackfill>().ListAsync()).Orders.Select(o => o.OrderId));
    }
}
