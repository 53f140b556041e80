// Builds the engine's configuration document (EngineConfig in core/src/engine/config.rs, PascalCase
// JSON) from the plugin settings, the decrypted credentials and the journal path.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Services;

public static class EngineConfigBuilder
{
    public static string Build(KashFlowSettings settings, KashFlowCredentials credentials, string journalPath)
    {
        var kashFlow = new JsonObject
        {
            ["Mode"] = settings.Mode.ToString(),
            ["UserName"] = credentials.UserName,
            ["Password"] = credentials.Password,
            ["MemorableWord"] = credentials.MemorableWord,
            ["RequestsPerSecond"] = Math.Max(1, settings.RequestsPerSecond),
            ["TimeoutSeconds"] = Math.Max(1, settings.TimeoutSeconds),
        };
        if (!string.IsNullOrWhiteSpace(settings.BaseUrl))
            kashFlow["BaseUrl"] = settings.BaseUrl.Trim();

        var config = new JsonObject
        {
            ["JournalPath"] = journalPath,
            ["KashFlow"] = kashFlow,
            ["Steps"] = new JsonObject
            {
                ["SyncCustomers"] = settings.SyncCustomers,
                ["CreateInvoices"] = settings.CreateInvoices,
                ["RecordPayments"] = settings.RecordPayments,
                ["PullStock"] = settings.PullStock,
                ["HoldPartialRefunds"] = settings.HoldPartialRefunds,
            },
        };
        if (!string.IsNullOrWhiteSpace(settings.RulesJson))
            config["Rules"] = JsonNode.Parse(settings.RulesJson);

        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
