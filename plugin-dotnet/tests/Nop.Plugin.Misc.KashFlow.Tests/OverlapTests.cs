using System.Diagnostics;
using System.Text.Json;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// IIS overlapped recycling: the old and the new worker process on one App_Data (one journal, spool and
/// marker folder) for a while, the old one stopping while the new one starts and takes checkouts.
/// </summary>
public class OverlapTests
{
    private static Task ConfigureSandboxAsync(TestStore store) =>
        store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.PullStock = false;
        }, "sandbox", "sandbox-password", "kashflow");

    /// <summary>The status document's ActiveWorker: (holder, active), or null before any engine took the lease.</summary>
    internal static (string Holder, bool Active)? ActiveWorker(TestStore store)
    {
        // StatusCounts.ActiveWorker is typed (core::engine::lease::ActiveWorker)
        var worker = EngineDocuments.ParseStatusCounts(store.Host.Engine!.StatusCountsJson()).ActiveWorker;
        return worker is null ? null : (worker.Holder!, worker.Active);
    }

    internal static RecordDetail? Detail(TestStore store, int orderId)
    {
        var page = EngineDocuments.ParseRecordPage(store.Host.Engine!.ListRecordsJson(new RecordQuery([], null, null, null, 1, 10, [orderId]).ToJson()));
        var row = page.Items.SingleOrDefault();
        return row is null ? null : EngineDocuments.ParseRecordDetail(store.Host.Engine!.RecordDetailJson(row.RecordId));
    }

    /// <summary>The invoice creations KashFlow received for the order, across every attempt of every engine.</summary>
    internal static int InvoicePosts(RecordDetail detail) =>
        (detail.Attempts ?? []).SelectMany(a => a.Calls ?? []).Count(c => c.Method == "POST" && (c.Path ?? "").Contains("invoice", StringComparison.OrdinalIgnoreCase) && c.Status is >= 200 and < 300);

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition())
                return true;
            await Task.Delay(50);
        }
        return await condition();
    }

    [Fact]
    public async Task Old_and_new_process_on_one_app_data_lose_nothing_post_nothing_twice_and_hand_over_the_lease()
    {
        var data = Path.Combine(Path.GetTempPath(), "kashflow-overlap-" + Guid.NewGuid().ToString("N"));
        var old = new TestStore(dataDirectory: data);
        await ConfigureSandboxAsync(old);
        Assert.True(await old.Host.EnsureStartedAsync(), old.Host.LastStartError);
        Assert.True(await WaitUntilAsync(() => Task.FromResult(ActiveWorker(old) is (_, true)), TimeSpan.FromSeconds(20)), "the old process takes the lease");
        var oldHolder = ActiveWorker(old)!.Value.Holder;
        var ids = Enumerable.Range(1001, 30).ToList();
        // 30 orders: the sandbox holds stock for 32. A customer per order: each engine here runs its own in-process sandbox KashFlow (a real store's
        // processes share one KashFlow), so a customer one engine created is unknown to the other's
        foreach (var id in ids)
            SampleOrders.SeedZeroRatedOrder(old, id, customerId: id).CreatedOnUtc = DateTime.UtcNow;

        // the old process takes checkouts...
        foreach (var id in ids.Take(10))
            await old.PublishAsync(new OrderPlacedEvent(old.Orders.Orders[id]));

        // ...the new one starts on the same App_Data and database while the old one still runs
        await using var @new = new TestStore(dataDirectory: data, sameDatabaseAs: old);
        Assert.True(await @new.Host.EnsureStartedAsync(), @new.Host.LastStartError);
        Assert.Null(@new.Host.CatchUpFromUtc); // the old process's marker is a live sibling's, not a crash
        foreach (var id in ids.Skip(10).Take(10))
            await @new.PublishAsync(new OrderPlacedEvent(@new.Orders.Orders[id]));
        Assert.Equal(oldHolder, ActiveWorker(@new)!.Value.Holder); // the old one still runs the jobs

        // the old one stops (IIS: the shutdown of the recycled process) while the new one takes checkouts
        var checkouts = Task.Run(async () =>
        {
            foreach (var id in ids.Skip(20))
                await @new.PublishAsync(new OrderPlacedEvent(@new.Orders.Orders[id]));
        });
        var stopping = Stopwatch.StartNew();
        await old.DisposeAsync();
        var oldStoppedAfter = stopping.Elapsed;
        await checkouts;
        Assert.True(@new.Host.WaitForHandOff(TimeSpan.FromSeconds(10)));

        // the new process becomes the active worker
        Assert.True(await WaitUntilAsync(() => Task.FromResult(ActiveWorker(@new) is (var holder, true) && holder != oldHolder), TimeSpan.FromSeconds(20)),
            $"the new process did not take the lease: {ActiveWorker(@new)}");
        var takenOverAfter = stopping.Elapsed - oldStoppedAfter;

        // the old one's clean stop is no crash: no catch-up, even when the new one looks again
        await @new.Host.DrainSpoolAsync();
        Assert.Null(@new.Host.CatchUpFromUtc);
        Assert.DoesNotContain(@new.Logger.Entries, e => e.Message.Contains("not clean"));
        Assert.DoesNotContain(Directory.GetFiles(data, "handoff-open*"), f => f != ((KashFlowEngineHost)@new.Host).HandOffMarkerPath);

        // nothing lost, nothing posted twice
        Assert.True(await WaitUntilAsync(async () =>
        {
            await @new.Poller.RunOnceAsync();
            return ids.All(id => Detail(@new, id)?.Record.State == "Synced");
        }, TimeSpan.FromSeconds(60)), "not every order synced: " + string.Join(", ", ids.Select(id => $"{id}={Detail(@new, id)?.Record.State} {Detail(@new, id)?.Record.LastError}")));
        foreach (var id in ids)
            Assert.Equal(1, InvoicePosts(Detail(@new, id)!));
        Assert.True(@new.Host.Spool.IsEmpty);
        Console.WriteLine($"overlap: old stopped in {oldStoppedAfter.TotalMilliseconds:F0} ms, new took the lease {takenOverAfter.TotalMilliseconds:F0} ms later");
    }
}
