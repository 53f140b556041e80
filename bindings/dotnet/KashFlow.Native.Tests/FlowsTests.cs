// The two pure flow calls through the C# layer (KashFlowFlows): a valid document, an invalid one with
// each error on its box, the dry run of the shared template order, and the refusals that are exceptions (empty
// argument, a dry run of an invalid document).
using System.Text.Json;

namespace Nop.Plugin.Misc.KashFlow.Native.Tests;

public class FlowsTests
{
    private const string Flows = """
        {"Version":1,"Flows":[{"Id":"big-orders","Name":"Big orders","Enabled":true,"Trigger":"OrderPlaced",
          "When":{"All":[{"Field":"OrderTotal","Op":"AtLeast","Value":"0.00"}]},
          "Steps":[{"Step":"Customer","Mode":"PerCustomer"},{"Step":"Invoice"}]}]}
        """;

    [Fact]
    public void A_valid_document_is_valid()
    {
        using var doc = JsonDocument.Parse(KashFlowFlows.ValidateJson(Flows));
        Assert.True(doc.RootElement.GetProperty("Valid").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("Errors").GetArrayLength());
    }

    [Fact]
    public void An_invalid_document_is_an_answer_with_each_error_on_its_box()
    {
        var bad = Flows.Replace("\"0.00\"", "\"five hundred\"").Replace("\"Invoice\"", "\"Invoyce\"");
        using var doc = JsonDocument.Parse(KashFlowFlows.ValidateJson(bad));
        Assert.False(doc.RootElement.GetProperty("Valid").GetBoolean());
        var boxes = doc.RootElement.GetProperty("Errors").EnumerateArray().Select(e => (e.GetProperty("FlowId").GetString(), e.GetProperty("Box").GetString())).ToList();
        Assert.Contains(("big-orders", "When.All[0]"), boxes);
        Assert.Contains(("big-orders", "Steps[1]"), boxes);
    }

    [Fact]
    public void The_dry_run_says_what_each_order_would_do()
    {
        var snapshot = TestHost.Order(41);
        using var doc = JsonDocument.Parse(KashFlowFlows.DryRunJson(Flows, $"[{{\"Snapshot\":{snapshot},\"Events\":[\"OrderPaid\"]}}]"));
        Assert.Equal(1, doc.RootElement.GetProperty("Orders").GetInt32());
        var rows = doc.RootElement.GetProperty("Rows").EnumerateArray().ToList();
        var placed = rows.Single(r => r.GetProperty("Trigger").GetString() == "OrderPlaced");
        Assert.Equal("big-orders", placed.GetProperty("Flow").GetString());
        Assert.Contains(rows, r => r.GetProperty("Trigger").GetString() == "OrderPaid" && r.GetProperty("Flow").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void Refusals_are_exceptions_naming_the_problem()
    {
        Assert.Equal("EmptyDocument", Assert.Throws<KashFlowNativeException>(() => KashFlowFlows.ValidateJson("")).Code);
        var ex = Assert.Throws<KashFlowNativeException>(() => KashFlowFlows.DryRunJson("{\"Version\":1,\"Flows\":[{}]}", "[]"));
        Assert.Equal(NativeMethods.KFS_INVALID_DOCUMENT, ex.Status);
    }
}
