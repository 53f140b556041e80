// Builds the engine's configuration document (EngineConfig in core/src/engine/config.rs, PascalCase
// JSON) from the plugin settings, the decrypted credentials and the journal path: typed records, written
// by System.Text.Json. Only this file knows that shape. The rules stay the JSON the admin saved (the
// engine validates them; RulesDocument is the typed window the configure page edits).
using System.Text.Json;
using System.Text.Json.Serialization;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>core::engine::config::EngineConfig, the members the plugin sets (the rest take the engine's defaults).</summary>
public sealed record EngineConfigDocument
{
    public required string JournalPath { get; init; }
    public required KashFlowConnectionDocument KashFlow { get; init; }
    public FlowStepsDocument? Steps { get; init; }
    public JsonElement? Rules { get; init; }

    /// <summary>The flows document (core flows contract); absent = the engine's default flow.</summary>
    public JsonElement? Flows { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, EngineConfigJsonContext.Default.EngineConfigDocument);
}

/// <summary>core::engine::config::KashFlowSettings. Its ToString never shows the password or memorable word.</summary>
public sealed record KashFlowConnectionDocument
{
    public required string Mode { get; init; }
    public string? Transport { get; init; }
    public string? SoapUrl { get; init; }
    public string? UserName { get; init; }
    public string? Password { get; init; }
    public string? MemorableWord { get; init; }
    public string? BaseUrl { get; init; }
    public int? RequestsPerSecond { get; init; }
    public int? TimeoutSeconds { get; init; }

    public override string ToString() => $"{nameof(KashFlowConnectionDocument)} {{ Mode = {Mode}, Transport = {Transport}, UserName = {UserName}, BaseUrl = {BaseUrl}, SoapUrl = {SoapUrl} }}";
}

/// <summary>core::engine::config::FlowSteps.</summary>
public sealed record FlowStepsDocument(bool SyncCustomers, bool CreateInvoices, bool RecordPayments, bool PullStock, bool HoldPartialRefunds)
{
    /// <summary>Web farm: a new active node journals again what the one before it may have posted, so the first attempt looks first.</summary>
    public bool LookBeforeFirstPost { get; init; }
}

public static class EngineConfigBuilder
{
    public static string Build(KashFlowSettings settings, KashFlowCredentials credentials, string journalPath) => new EngineConfigDocument
    {
        JournalPath = journalPath,
        KashFlow = new KashFlowConnectionDocument
        {
            Mode = settings.Mode.ToString(),
            Transport = settings.EffectiveTransport.ToString(),
            UserName = credentials.UserName,
            Password = credentials.Password,
            // SOAP has no memorable word: a stored one (from REST) is not sent
            MemorableWord = settings.EffectiveTransport == KashFlowTransport.Rest ? credentials.MemorableWord : null,
            BaseUrl = string.IsNullOrWhiteSpace(settings.BaseUrl) ? null : settings.BaseUrl.Trim(),
            SoapUrl = string.IsNullOrWhiteSpace(settings.SoapUrl) ? null : settings.SoapUrl.Trim(),
            RequestsPerSecond = Math.Max(1, settings.RequestsPerSecond),
            TimeoutSeconds = Math.Max(1, settings.TimeoutSeconds),
        },
        Steps = new FlowStepsDocument(settings.SyncCustomers, settings.CreateInvoices, settings.RecordPayments, settings.PullStock, settings.HoldPartialRefunds)
        {
            LookBeforeFirstPost = settings.WebFarm,
        },
        Rules = ParseRules(settings.RulesJson),
        Flows = ParseRules(settings.FlowsJson),
    }.ToJson();

    /// <summary>A stored document (rules, flows) as JSON (null when blank: the engine's defaults). Throws JsonException when not JSON.</summary>
    public static JsonElement? ParseRules(string? rulesJson)
    {
        if (string.IsNullOrWhiteSpace(rulesJson))
            return null;
        using var doc = JsonDocument.Parse(rulesJson);
        return doc.RootElement.ValueKind == JsonValueKind.Null ? null : doc.RootElement.Clone();
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EngineConfigDocument))]
internal sealed partial class EngineConfigJsonContext : JsonSerializerContext;
