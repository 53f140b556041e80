using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>The snapshot built from a nopCommerce order equals the golden fixture of the same order.</summary>
public class GoldenSnapshotTests
{
    [Fact]
    public void There_are_golden_fixtures()
    {
        Assert.True(FixtureOrders.Files().Any(), $"no fixtures in {FixtureOrders.FixtureDirectory} (branch mapping provides them)");
    }

    [Fact]
    public async Task Every_fixture_is_rebuilt_exactly_from_its_nopCommerce_order()
    {
        var failures = new List<string>();
        foreach (var file in FixtureOrders.Files())
        {
            var fixture = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            await using var store = new TestStore();
            var order = FixtureOrders.Seed(store, fixture);
            await using var scope = store.Scope();
            var built = JsonNode.Parse(await scope.ServiceProvider.GetRequiredService<IOrderSnapshotBuilder>().BuildJsonAsync(order));
            failures.AddRange(JsonCompare.Differences(fixture, built).Select(d => $"{Path.GetFileName(file)} {d}"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_comparison_sees_values_not_spelling()
    {
        Assert.Empty(JsonCompare.Differences(JsonNode.Parse("""{"A":18.0,"B":null,"C":[1]}"""), JsonNode.Parse("""{"C":[1.00],"A":18.0000}""")));
        Assert.Equal(["$.A: expected 18.0, got 18.01"], JsonCompare.Differences(JsonNode.Parse("""{"A":18.0}"""), JsonNode.Parse("""{"A":18.01}""")));
        Assert.Single(JsonCompare.Differences(JsonNode.Parse("""{"A":"x"}"""), JsonNode.Parse("""{"A":"x","B":"extra"}""")));
        Assert.Single(JsonCompare.Differences(JsonNode.Parse("""{"A":[1,2]}"""), JsonNode.Parse("""{"A":[1]}""")));
    }
}
