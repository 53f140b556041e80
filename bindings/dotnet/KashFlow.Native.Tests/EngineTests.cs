// KashFlowEngine against the real native library: every operation, typed errors, the handle's
// lifetime (dispose twice, calls after dispose, stale handles natively), the log callback, panic
// containment and 16 threads at once. Sandbox round trips are in SandboxTests.
using System.Collections.Concurrent;
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class EngineTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Create_rejects_an_invalid_configuration_with_code_and_path()
    {
        using var dir = new TempDir();
        var config = JsonDocument.Parse(TestHost.Config(dir.Path)).RootElement;
        string bad = TestHost.Config(dir.Path).Replace("\"Workers\":2", "\"Workers\":0");
        var ex = Assert.Throws<KashFlowNativeException>(() => KashFlowEngine.Create(bad));
        Assert.Equal(NativeMethods.KFS_INVALID_CONFIG, ex.Status);
        Assert.Equal("InvalidConfig", ex.Code);
        Assert.Equal("Workers", ex.Path);

        var malformed = Assert.Throws<KashFlowNativeException>(() => KashFlowEngine.Create("{\"JournalPath\":"));
        Assert.Equal("InvalidConfig", malformed.Code);
        Assert.Contains("JSON", malformed.Message);

        Assert.Equal("EmptyDocument", Assert.Throws<KashFlowNativeException>(() => KashFlowEngine.Create("")).Code);
        Assert.Throws<ArgumentNullException>(() => KashFlowEngine.Create(null!));
        Assert.Equal(JsonValueKind.Object, config.ValueKind);
    }

    [Fact]
    public void ValidateConfigJson_reports_without_starting_and_redacts_secrets()
    {
        using var dir = new TempDir();
        var report = Parse(KashFlowEngine.ValidateConfigJson(TestHost.Config(dir.Path, "Live", "https://127.0.0.1:9/v2")));
        Assert.True(report.GetProperty("Valid").GetBoolean());
        Assert.Equal("<redacted>", report.GetProperty("Config").GetProperty("KashFlow").GetProperty("Password").GetString());
        Assert.DoesNotContain("sandbox-password", report.ToString());
        Assert.False(File.Exists(Path.Combine(dir.Path, "journal.sqlite")));

        var invalid = Parse(KashFlowEngine.ValidateConfigJson(TestHost.Config(dir.Path, "Live", "http://127.0.0.1:9/v2")));
        Assert.False(invalid.GetProperty("Valid").GetBoolean());
        var error = invalid.GetProperty("Errors")[0];
        Assert.Equal("InvalidConfig", error.GetProperty("Code").GetString());
        Assert.Equal("KashFlow.BaseUrl", error.GetProperty("Path").GetString());
    }

    [Fact]
    public void EnqueueOrder_returns_durable_receipts_and_records_bad_snapshots_as_failed()
    {
        using var dir = new TempDir();
        using (var engine = KashFlowEngine.Create(TestHost.Config(dir.Path)))
        {
            var receipt = engine.EnqueueOrder(TestHost.Order(1047));
            Assert.Equal(1047, receipt.OrderId);
            Assert.Equal("Pending", receipt.State);
            Assert.True(receipt.RecordId > 0);
            Assert.Null(receipt.Message);

            var again = engine.EnqueueOrder(TestHost.Order(1047));
            Assert.Equal("Unchanged", again.State);
            Assert.Equal(receipt.RecordId, again.RecordId);

            var broken = engine.EnqueueOrder("{\"SchemaVersion\":1,\"Id\":77,");
            Assert.Equal("Failed", broken.State);
            Assert.Contains("not valid JSON", broken.Message);

            var wrongVersion = engine.EnqueueOrder(TestHost.Order(1048).Replace("\"SchemaVersion\":1", "\"SchemaVersion\":2"));
            Assert.Equal("Failed", wrongVersion.State);
            Assert.Contains("SchemaVersion", wrongVersion.Message);
        }
        // Durable: a new engine on the same journal sees all three records.
        using var reopened = KashFlowEngine.Create(TestHost.Config(dir.Path));
        Assert.Equal(3, Parse(reopened.StatusCountsJson()).GetProperty("Total").GetInt32());
    }

    [Fact]
    public void EnqueueEvent_accepts_contract_events_and_rejects_unknown_kinds()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        engine.EnqueueOrder(TestHost.Order(2001));
        var paid = engine.EnqueueEvent("{\"Kind\":\"OrderPaid\",\"OrderId\":2001,\"Amount\":57.99,\"PaidDateUtc\":\"2026-11-28T10:21:15Z\",\"PaymentMethodSystemName\":\"Payments.Stripe\"}");
        Assert.Equal(2001, paid.OrderId);
        var refunded = engine.EnqueueEvent("{\"Kind\":\"OrderRefunded\",\"OrderId\":2001,\"Amount\":\"5.00\"}");
        Assert.Equal(2001, refunded.OrderId);
        // Flow triggers (issue 20): shipped, delivered and completed are events the engine records.
        var shipped = engine.EnqueueEvent("{\"Kind\":\"OrderShipped\",\"OrderId\":2001,\"OccurredOnUtc\":\"2026-11-29T09:00:00Z\"}");
        Assert.Equal(2001, shipped.OrderId);
        var ex = Assert.Throws<KashFlowNativeException>(() => engine.EnqueueEvent("{\"Kind\":\"OrderTeleported\",\"OrderId\":2001}"));
        Assert.Equal(NativeMethods.KFS_INVALID_DOCUMENT, ex.Status);
        Assert.Equal("InvalidDocument", ex.Code);
    }

    [Fact]
    public void Admin_operations_round_trip_their_documents()
    {
        using var dir = new TempDir();
        string config = TestHost.Config(dir.Path);
        using var engine = KashFlowEngine.Create(config);
        long recordId = engine.EnqueueOrder(TestHost.Order(3001)).RecordId;
        engine.EnqueueOrder("not json");

        var counts = Parse(engine.StatusCountsJson());
        Assert.Equal(2, counts.GetProperty("Total").GetInt32());
        Assert.Equal(1, counts.GetProperty("Failed").GetInt32());

        var page = Parse(engine.ListRecordsJson("{\"States\":[\"Failed\"],\"PageSize\":10}"));
        Assert.Equal(1, page.GetProperty("Total").GetInt32());
        Assert.Equal("Failed", page.GetProperty("Items")[0].GetProperty("State").GetString());
        var badQuery = Assert.Throws<KashFlowNativeException>(() => engine.ListRecordsJson("{\"Colour\":\"red\"}"));
        Assert.Equal("InvalidDocument", badQuery.Code);

        var detail = Parse(engine.RecordDetailJson(recordId));
        Assert.Equal(3001, detail.GetProperty("Record").GetProperty("OrderId").GetInt64());
        Assert.Equal("NotFound", Assert.Throws<KashFlowNativeException>(() => engine.RecordDetailJson(999_999)).Code);
        Assert.Equal(NativeMethods.KFS_NOT_FOUND, Assert.Throws<KashFlowNativeException>(() => engine.Retry(999_999)).Status);
        // The unreadable snapshot is queued again (and order 3001 too, should it have failed meanwhile).
        Assert.InRange(engine.RetryAllFailed(), 1, 2);

        // Outcomes belong to the one order with an id (or to no order: stock); acknowledging
        // nothing acknowledges nothing, so what was delivered is delivered again.
        var outcomes = engine.PollOutcomes(10);
        Assert.All(outcomes, o => Assert.True(o.Id > 0 && o.OrderId is null or 3001, o.ToString()));
        engine.AckOutcomes(Array.Empty<long>());
        Assert.Subset(engine.PollOutcomes(100).Select(o => o.Id).ToHashSet(), outcomes.Select(o => o.Id).ToHashSet());
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PollOutcomes(0));

        Assert.Equal("InvalidDocument", Assert.Throws<KashFlowNativeException>(() => engine.PreviewJson("[1]")).Code);

        engine.RequestStockPull();
        engine.Reconfigure(config.Replace("\"Workers\":2", "\"Workers\":3"));
        var moved = Assert.Throws<KashFlowNativeException>(() => engine.Reconfigure(config.Replace("journal.sqlite", "other.sqlite")));
        Assert.Equal("JournalPath", moved.Path);

        engine.Shutdown(TimeSpan.FromSeconds(1));
        var stopped = Assert.Throws<KashFlowNativeException>(() => engine.EnqueueOrder(TestHost.Order(3002)));
        Assert.Equal(NativeMethods.KFS_SHUTTING_DOWN, stopped.Status);
        Assert.Equal("ShuttingDown", stopped.Code);
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_every_call_after_it_throws_ObjectDisposedException()
    {
        using var dir = new TempDir();
        var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        engine.Dispose();
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.EnqueueOrder(TestHost.Order(1)));
        Assert.Throws<ObjectDisposedException>(() => engine.EnqueueEvent("{\"Kind\":\"OrderCancelled\",\"OrderId\":1}"));
        Assert.Throws<ObjectDisposedException>(() => engine.PollOutcomes(1));
        Assert.Throws<ObjectDisposedException>(() => engine.AckOutcomes(new long[] { 1 }));
        Assert.Throws<ObjectDisposedException>(() => engine.StatusCountsJson());
        Assert.Throws<ObjectDisposedException>(() => engine.ListRecordsJson("{}"));
        Assert.Throws<ObjectDisposedException>(() => engine.RecordDetailJson(1));
        Assert.Throws<ObjectDisposedException>(() => engine.Retry(1));
        Assert.Throws<ObjectDisposedException>(() => engine.RetryAllFailed());
        Assert.Throws<ObjectDisposedException>(() => engine.PreviewJson(TestHost.Order(1)));
        Assert.Throws<ObjectDisposedException>(() => { _ = engine.TestConnectionAsync(); });
        Assert.Throws<ObjectDisposedException>(() => engine.Reconfigure(TestHost.Config(dir.Path)));
        Assert.Throws<ObjectDisposedException>(() => engine.RequestStockPull());
        Assert.Throws<ObjectDisposedException>(() => engine.Shutdown(TimeSpan.Zero));
    }

    [Fact]
    public unsafe void A_stale_handle_is_refused_by_the_library_itself()
    {
        using var dir = new TempDir();
        var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        IntPtr raw = engine.DangerousHandleValue;
        engine.Dispose();
        KfsBuffer buffer = default;
        int status = NativeMethods.kfs_engine_status_counts((KfsEngine*)raw, &buffer);
        Assert.Equal(NativeMethods.KFS_INVALID_HANDLE, status);
        Assert.Equal("InvalidHandle", Interop.Error(status, Interop.TakeString(ref buffer)).Code);
        // A second native free of the same handle is refused too, not a double free.
        Assert.Equal(NativeMethods.KFS_INVALID_HANDLE, NativeMethods.kfs_engine_free((KfsEngine*)raw, null));
    }

    [Fact]
    public void A_panic_in_the_library_leaves_a_live_engine_working()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        engine.EnqueueOrder(TestHost.Order(4001));
        var ex = Assert.Throws<KashFlowNativeException>(KashFlowDiagnostics.ForcePanic);
        Assert.Equal(NativeMethods.KFS_PANIC, ex.Status);
        Assert.Equal("Pending", engine.EnqueueOrder(TestHost.Order(4002)).State);
        Assert.Equal(2, Parse(engine.StatusCountsJson()).GetProperty("Total").GetInt32());
    }

    [Fact]
    public async Task Sixteen_threads_enqueue_at_once()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        const int threads = 16, each = 25;
        using var start = new Barrier(threads);
        // Dedicated threads (LongRunning), released together; exceptions surface through the tasks.
        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var ids = new List<long>();
            for (int i = 0; i < each; i++)
            {
                long orderId = 10_000 + t * 1000 + i;
                var receipt = engine.EnqueueOrder(TestHost.Order(orderId));
                Assert.Equal("Pending", receipt.State);
                Assert.Equal(orderId, receipt.OrderId);
                ids.Add(receipt.RecordId);
                if (i % 5 == 0) engine.StatusCountsJson();
            }
            return ids;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        List<long>[] results = await Task.WhenAll(workers);
        Assert.Equal(threads * each, results.SelectMany(r => r).Distinct().Count());
        Assert.Equal(threads * each, Parse(engine.StatusCountsJson()).GetProperty("Total").GetInt32());
    }

    [Fact]
    public async Task Dispose_while_other_threads_call_waits_for_them_then_refuses_new_calls()
    {
        using var dir = new TempDir();
        var engine = KashFlowEngine.Create(TestHost.Config(dir.Path));
        var outcomes = new ConcurrentBag<string>();
        using var calling = new CountdownEvent(4);
        var callers = Enumerable.Range(0, 4).Select(t => Task.Factory.StartNew(() =>
        {
            for (int i = 0; ; i++)
            {
                try
                {
                    engine.EnqueueOrder(TestHost.Order(50_000 + t * 10_000 + i));
                    outcomes.Add("ok");
                    if (i == 0) calling.Signal();
                }
                catch (ObjectDisposedException)
                {
                    outcomes.Add("disposed");
                    return;
                }
                catch (KashFlowNativeException ex) when (ex.Code == "ShuttingDown")
                {
                    outcomes.Add("stopping");
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        // Dispose while all four are calling (each has completed at least one call).
        Assert.True(await Task.Run(() => calling.Wait(TimeSpan.FromSeconds(60))), "callers did not start");
        engine.Dispose();
        await Task.WhenAll(callers);
        Assert.Equal(4, outcomes.Count(o => o == "disposed"));
        Assert.DoesNotContain(outcomes, o => o != "ok" && o != "disposed" && o != "stopping");
    }

    [Fact]
    public void Log_callback_receives_engine_lines_survives_a_throwing_handler_and_stops_at_dispose()
    {
        using var dir = new TempDir();
        var lines = new ConcurrentQueue<EngineLogEntry>();
        bool disposed = false;
        int afterDispose = 0;
        var engine = KashFlowEngine.Create(TestHost.Config(dir.Path), entry =>
        {
            if (Volatile.Read(ref disposed)) Interlocked.Increment(ref afterDispose);
            lines.Enqueue(entry);
            throw new InvalidOperationException("a host logger that throws must not take the engine down");
        });
        engine.EnqueueOrder("not json");
        Assert.Equal("Pending", engine.EnqueueOrder(TestHost.Order(6001)).State);
        engine.Dispose();
        Volatile.Write(ref disposed, true);
        Thread.Sleep(200);
        Assert.Equal(0, Volatile.Read(ref afterDispose));
        Assert.Contains(lines, l => l.Level == "Info" && l.Target.Contains("engine") && l.Message.Contains("started"));
        Assert.Contains(lines, l => l.Message.Contains("stopped"));
        Assert.DoesNotContain(lines, l => l.Message.Contains("sandbox-password"));
    }

    [Fact]
    public void Dispose_from_inside_the_log_callback_is_refused_instead_of_deadlocking()
    {
        using var dir = new TempDir();
        KashFlowEngine? engine = null;
        Exception? fromCallback = null;
        engine = KashFlowEngine.Create(TestHost.Config(dir.Path), entry =>
        {
            if (entry.Level == "Error" && fromCallback is null)
            {
                try { engine!.Dispose(); } catch (Exception ex) { fromCallback = ex; }
            }
        });
        using (engine)
        {
            engine.EnqueueOrder("not json"); // logs the failure synchronously on this thread
            Assert.IsType<InvalidOperationException>(fromCallback);
            Assert.Equal("Pending", engine.EnqueueOrder(TestHost.Order(6101)).State);
        }
    }

    [Fact]
    public async Task TestConnectionAsync_reports_failure_for_a_closed_port()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Live", $"https://127.0.0.1:{TestHost.ClosedPort()}/v2"));
        try
        {
            var report = Parse(await engine.TestConnectionAsync());
            Assert.False(report.GetProperty("Ok").GetBoolean());
            Assert.Equal("Live", report.GetProperty("Mode").GetString());
            Assert.False(string.IsNullOrWhiteSpace(report.GetProperty("Message").GetString()));
        }
        catch (KashFlowNativeException ex)
        {
            // Reporting the failure as an error document is acceptable too; it must say what failed.
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            Assert.NotEqual(NativeMethods.KFS_PANIC, ex.Status);
        }
    }
}
