// Windows file semantics the plugin meets in App_Data\KashFlow, run under wine: a file another program
// holds open without FILE_SHARE_DELETE (a virus scanner, a backup agent) can be neither deleted nor
// renamed over. The hand-off marker from an unclean exit, held open like that, must break neither
// checkout nor the clean stop; it stays for the next start.
using System.Text.Json;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class WindowsFileTests
{
    [Fact]
    public async Task A_hand_off_marker_held_open_by_another_program_breaks_neither_checkout_nor_the_stop()
    {
        Assert.True(OperatingSystem.IsWindows(), "run this under Windows or wine");
        var site = Path.Combine(Path.GetTempPath(), "kfs wine marker " + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(site, "App_Data", "KashFlow");
        Directory.CreateDirectory(data);
        var marker = Path.Combine(data, KashFlowDefaults.HandOffMarkerFileName);
        try
        {
            File.WriteAllText(marker, DateTime.UtcNow.AddMinutes(-3).ToString("O"));
            using (var scanner = new FileStream(marker, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                // what Windows does and Linux does not: no delete, no rename-over while it is open
                Assert.ThrowsAny<IOException>(() => File.Delete(marker));
                var temp = marker + ".probe";
                File.WriteAllText(temp, "x");
                Assert.ThrowsAny<Exception>(() => File.Move(temp, marker, overwrite: true));
                File.Delete(temp);

                await using (var store = new TestStore(dataDirectory: data))
                {
                    // Sync was on since before the crash that left the marker (the catch-up never
                    // reaches behind the moment sync was switched on).
                    await store.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
                    await store.ConfigureAsync(s => s.SyncOnSinceUtc = DateTime.UtcNow.AddHours(-3));
                    Assert.NotNull(store.Host.CatchUpFromUtc); // the floor is still readable
                    Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);

                    var order = SampleOrders.SeedZeroRatedOrder(store, 171);
                    await store.PublishAsync(new OrderPlacedEvent(order));
                    Assert.True(store.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));
                    using var counts = JsonDocument.Parse(store.Host.Engine!.StatusCountsJson());
                    Assert.True(counts.RootElement.GetProperty("Total").GetInt64() >= 1, counts.RootElement.ToString());
                } // the clean stop cannot delete the marker: it must not throw
                Assert.True(File.Exists(marker), "the marker stays for the next start");
            }
            File.Delete(marker); // released: now it can go
            Assert.False(File.Exists(marker));
        }
        finally
        {
            try { Directory.Delete(site, recursive: true); } catch (IOException) { }
        }
    }
}
