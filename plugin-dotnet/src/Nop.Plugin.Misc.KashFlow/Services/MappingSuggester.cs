// One door to the engine's mapping suggestions (kfs_suggest_mappings) for the pages that offer them:
// Configure (payment methods, nominals), the products page (Map to…) and the wizard's tax step. The
// engine matches; the plugin only says what the store has and hands over KashFlow's lists as read.
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Native;

namespace Nop.Plugin.Misc.KashFlow.Services;

public static class MappingSuggester
{
    /// <summary>
    /// The engine's suggestions for <paramref name="store"/> against the lookups' JSON, or null when they cannot be had
    /// (native library unavailable, lists unreadable): a page then offers its plain choices, never fails.
    /// </summary>
    public static MappingSuggestions? TrySuggest(SuggestStore store, string catalogueJson, out string? problem)
    {
        try
        {
            using var kashflow = System.Text.Json.JsonDocument.Parse(catalogueJson);
            problem = null;
            return EngineDocuments.ParseSuggestions(KashFlowEngine.SuggestMappingsJson(
                EngineDocuments.SuggestInputJson(new SuggestInput(store, kashflow.RootElement.Clone()))));
        }
        catch (Exception ex)
        {
            problem = ex.Message;
            return null;
        }
    }
}
