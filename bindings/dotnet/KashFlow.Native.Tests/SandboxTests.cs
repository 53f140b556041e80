// Round trips through KashFlow: the in-process sandbox the engine starts in Mode "Sandbox"
// (served over HTTP on 127.0.0.1), and Live mode against loopback servers that hang. These need
// the KashFlow processor wired into the engine.
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class SandboxTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task Sandbox_order_comes_back_as_outcomes_that_stay_until_acknowledged()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));
        const long orderId = 7001;
        var receipt = engine.EnqueueOrder(TestHost.Order(orderId));
        Assert.Equal("Pending", receipt.State);

        // Poll like the plugin's outcome poller until the invoice note arrives (deadline, not a timing assertion).
        var seen = new Dictionary<long, EngineOutcome>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!seen.Values.Any(o => o.Kind == "AddOrderNote" && o.OrderId == orderId) && DateTime.UtcNow < deadline)
        {
            foreach (var o in engine.PollOutcomes(100)) seen[o.Id] = o;
            await Task.Delay(50);
        }
        var note = Assert.Single(seen.Values, o => o.Kind == "AddOrderNote" && o.OrderId == orderId);
        Assert.Equal(100_000 + orderId, note.InvoiceNumber);
        Assert.Contains((100_000 + orderId).ToString(), note.Note);

        // Unacknowledged outcomes are delivered again; acknowledged ones are not.
        var again = engine.PollOutcomes(100).Select(o => o.Id).ToHashSet();
        Assert.Contains(note.Id, again);
        engine.AckOutcomes(seen.Keys);
        Assert.DoesNotContain(engine.PollOutcomes(100), o => seen.ContainsKey(o.Id));

        var detail = Parse(engine.RecordDetailJson(receipt.RecordId));
        Assert.Equal("Synced", detail.GetProperty("Record").GetProperty("State").GetString());
        Assert.Equal(100_000 + orderId, detail.GetProperty("Record").GetProperty("InvoiceNumber").GetInt64());
    }

    [Fact]
    public async Task TestConnectionAsync_succeeds_against_the_sandbox()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));
        var report = Parse(await engine.TestConnectionAsync());
        Assert.True(report.GetProperty("Ok").GetBoolean(), report.ToString());
        Assert.Equal("Sandbox", report.GetProperty("Mode").GetString());
    }

    [Fact]
    public async Task TestConnectionAsync_is_cancelled_by_its_token_while_KashFlow_hangs()
    {
        using var dir = new TempDir();
        using var server = new SilentServer();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Live", $"https://127.0.0.1:{server.Port}/v2", timeoutSeconds: 120));
        using var cts = new CancellationTokenSource();
        Task<string> test = engine.TestConnectionAsync(cts.Token);
        await WaitUntil(() => server.Accepted > 0 || test.IsCompleted, "the engine to connect to the hung server");
        Assert.False(test.IsCompleted, "the test connection finished although the server never answered");
        cts.Cancel();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test);
        Assert.Equal(cts.Token, ex.CancellationToken);
        // The engine is still usable afterwards.
        Assert.Equal("Pending", engine.EnqueueOrder(TestHost.Order(8001)).State);
    }

    [Fact]
    public async Task Dispose_during_TestConnectionAsync_ends_it_with_ObjectDisposedException()
    {
        using var dir = new TempDir();
        using var server = new SilentServer();
        var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Live", $"https://127.0.0.1:{server.Port}/v2", timeoutSeconds: 120));
        Task<string> test = engine.TestConnectionAsync();
        await WaitUntil(() => server.Accepted > 0 || test.IsCompleted, "the engine to connect to the hung server");
        Assert.False(test.IsCompleted, "the test connection finished although the server never answered");
        engine.Dispose();
        Assert.True(test.IsCompleted, "Dispose returns only after pending operations have completed");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => test);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}");
            await Task.Delay(20);
        }
    }
}
