// The account-setup calls through the real library against the in-process sandbox KashFlow (Mode
// "Sandbox", HTTP on 127.0.0.1): CreateProductsAsync creates only what is missing, refuses a bad
// document before anything is sent, and an order dead-lettered for a missing product goes again by
// itself once the product exists; a working connection test carries the same lookups document.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class ProductTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Products(params string[] codes) => new JsonObject
    {
        ["Products"] = new JsonArray(codes.Select(c => (JsonNode)new JsonObject
        {
            ["Code"] = c,
            ["Name"] = $"Product {c}",
            ["NominalCode"] = 4000,
            ["Price"] = "12.50",
            ["VatRate"] = "20",
        }).ToArray()),
    }.ToJsonString();

    private static IEnumerable<string?> ProductCodes(JsonElement catalogue) =>
        catalogue.GetProperty("Products").EnumerateArray().Select(p => p.GetProperty("Code").GetString());

    [Fact]
    public async Task CreateProductsAsync_creates_the_missing_and_leaves_the_existing()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));

        var results = Parse(await engine.CreateProductsAsync(Products("NEW-WIDGET", "MUG-CLASSIC")));

        Assert.Equal(2, results.GetArrayLength());
        Assert.Equal("NEW-WIDGET", results[0].GetProperty("Code").GetString());
        Assert.Equal("Created", results[0].GetProperty("Result").GetString());
        Assert.Equal("AlreadyThere", results[1].GetProperty("Result").GetString());
        Assert.Contains("NEW-WIDGET", ProductCodes(Parse(await engine.LookupsAsync())));

        // asked again, nothing is created twice
        var again = Parse(await engine.CreateProductsAsync(Products("NEW-WIDGET")));
        Assert.Equal("AlreadyThere", again[0].GetProperty("Result").GetString());
    }

    [Fact]
    public async Task CreateProductsAsync_refuses_a_document_that_does_not_read_before_sending()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));

        var ex = Assert.Throws<KashFlowNativeException>(() => { _ = engine.CreateProductsAsync("""{"Products":[{"Code":"X"}]}"""); });
        Assert.Equal("InvalidDocument", ex.Code);
        Assert.Contains("Name", ex.Message);
        Assert.DoesNotContain("X", ProductCodes(Parse(await engine.LookupsAsync())));
        Assert.Throws<ArgumentNullException>(() => { _ = engine.CreateProductsAsync(null!); });
    }

    [Fact]
    public async Task CreateProductsAsync_with_a_cancelled_token_starts_nothing()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var task = engine.CreateProductsAsync(Products("NEVER-SENT"), cts.Token);

        Assert.True(task.IsCanceled);
        Assert.DoesNotContain("NEVER-SENT", ProductCodes(Parse(await engine.LookupsAsync())));
    }

    [Fact]
    public async Task An_order_waiting_for_a_missing_product_goes_again_once_it_is_created()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));
        var order = JsonNode.Parse(TestHost.Order(7101))!;
        order["Items"]![0]!["Sku"] = "SOLD-NOT-LISTED";
        var receipt = engine.EnqueueOrder(order.ToJsonString());

        string State() => Parse(engine.RecordDetailJson(receipt.RecordId)).GetProperty("Record").GetProperty("State").GetString()!;
        await Until(() => State() == "Failed");
        var failed = Parse(engine.RecordDetailJson(receipt.RecordId)).GetProperty("Record");
        Assert.Equal("UnknownProduct", failed.GetProperty("LastError").GetProperty("Code").GetString());

        var created = Parse(await engine.CreateProductsAsync(Products("SOLD-NOT-LISTED")));
        Assert.Equal("Created", created[0].GetProperty("Result").GetString());

        // nobody pressed Retry: creating the product queued the order again
        await Until(() => State() == "Synced");
    }

    [Fact]
    public async Task A_working_connection_test_carries_the_lookups_document()
    {
        using var dir = new TempDir();
        using var engine = KashFlowEngine.Create(TestHost.Config(dir.Path, "Sandbox"));

        var report = Parse(await engine.TestConnectionAsync());

        Assert.True(report.GetProperty("Ok").GetBoolean());
        var fromTest = report.GetProperty("Catalogue");
        var fromLookups = Parse(await engine.LookupsAsync());
        Assert.Equal(ProductCodes(fromLookups), ProductCodes(fromTest));
        Assert.Contains("MUG-CLASSIC", ProductCodes(fromTest));
        Assert.Equal(fromLookups.GetProperty("PaymentMethods").GetRawText(), fromTest.GetProperty("PaymentMethods").GetRawText());
    }

    /// <summary>Waits for a condition the engine reaches on its own threads (a deadline, not a timing assertion).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the engine did not get there within 60 s");
            await Task.Delay(50);
        }
    }
}
