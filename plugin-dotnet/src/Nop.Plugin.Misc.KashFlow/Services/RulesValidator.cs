// Asks the engine (KashFlowEngine.ValidateConfigJson, no engine started) whether a mapping rules
// document is valid, and for the rules with every default filled in. The engine owns the rules and
// their defaults; the configure page shows and edits what it returns, so nothing is guessed here.
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record RulesValidation(bool Valid, IReadOnlyList<EngineProblem> Errors, string? NormalizedRulesJson);

public static class RulesValidator
{
    public static RulesValidation Validate(string? rulesJson)
    {
        System.Text.Json.JsonElement? rules;
        try
        {
            rules = EngineConfigBuilder.ParseRules(rulesJson);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return new RulesValidation(false, [new EngineProblem(EngineNames.ErrorInvalidDocument, ex.Message, "Rules")], null);
        }
        // a throw-away configuration around the rules: sandbox login, journal never opened
        var config = new EngineConfigDocument
        {
            JournalPath = "rules-validation.sqlite",
            KashFlow = new KashFlowConnectionDocument { Mode = nameof(KashFlowMode.Sandbox), UserName = "sandbox", Password = "sandbox-password", MemorableWord = "kashflow" },
            Rules = rules,
        };

        var doc = EngineDocuments.ParseConfigValidation(KashFlowEngine.ValidateConfigJson(config.ToJson()));
        var normalized = doc.Valid && doc.Config?.Rules is { ValueKind: System.Text.Json.JsonValueKind.Object } r ? r.GetRawText() : null;
        return new RulesValidation(doc.Valid, doc.Errors ?? [], normalized);
    }
}
