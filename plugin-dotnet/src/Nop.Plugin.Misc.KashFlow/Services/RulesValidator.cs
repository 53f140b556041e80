// Asks the engine (KashFlowEngine.ValidateConfigJson, no engine started) whether a mapping rules
// document is valid, and for the rules with every default filled in. The engine owns the rules and
// their defaults; the configure page shows and edits what it returns, so nothing is guessed here.
using System.Text.Json.Nodes;
using Nop.Plugin.Misc.KashFlow.Native;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record RulesValidation(bool Valid, IReadOnlyList<EngineProblem> Errors, string? NormalizedRulesJson);

public static class RulesValidator
{
    public static RulesValidation Validate(string? rulesJson)
    {
        JsonNode? rules = null;
        if (!string.IsNullOrWhiteSpace(rulesJson))
        {
            try
            {
                rules = JsonNode.Parse(rulesJson);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return new RulesValidation(false, [new EngineProblem("InvalidDocument", ex.Message, "Rules")], null);
            }
        }
        // a throw-away configuration around the rules: sandbox login, journal never opened
        var config = new JsonObject
        {
            ["JournalPath"] = "rules-validation.sqlite",
            ["KashFlow"] = new JsonObject { ["Mode"] = "Sandbox", ["UserName"] = "sandbox", ["Password"] = "sandbox-password", ["MemorableWord"] = "kashflow" },
        };
        if (rules is not null)
            config["Rules"] = rules;

        var doc = JsonNode.Parse(KashFlowEngine.ValidateConfigJson(config.ToJsonString())) as JsonObject
            ?? throw new FormatException("the engine's validation document is not a JSON object");
        var valid = doc["Valid"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        var errors = (doc["Errors"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => new EngineProblem(e["Code"]?.GetValue<string>(), e["Message"]?.GetValue<string>() ?? string.Empty, e["Path"]?.GetValue<string>()))
            .ToList();
        var normalized = valid && doc["Config"] is JsonObject c && c["Rules"] is JsonObject r ? r.ToJsonString() : null;
        return new RulesValidation(valid, errors, normalized);
    }
}
