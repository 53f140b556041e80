// A typed window onto the mapping rules JSON document (core::mapping::rules::MappingRules): the fields the
// configure page edits. Everything else in the document (per-SKU overrides, future fields) is kept as is.
// The engine owns the defaults and the validation; this class only reads and writes members.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed record PaymentMethodRule(string SystemName, int MethodId, int BankAccountId);

public sealed class RulesDocument
{
    private readonly JsonObject _root;

    private RulesDocument(JsonObject root)
    {
        _root = root;
    }

    /// <summary>Parses the stored document; blank means "the engine's defaults" (an empty object).</summary>
    public static RulesDocument Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new RulesDocument(new JsonObject());
        return JsonNode.Parse(json) is JsonObject root
            ? new RulesDocument(root)
            : throw new FormatException("The mapping rules must be a JSON object.");
    }

    public string ToJson(bool indented = false) => _root.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    // ---- invoice numbering

    public long? InvoiceNumberOffset
    {
        get => GetLong(_root, "InvoiceNumberOffset");
        set => Set(_root, "InvoiceNumberOffset", value);
    }

    public bool? UseKashFlowNumbering
    {
        get => GetBool(_root, "UseKashFlowNumbering");
        set => Set(_root, "UseKashFlowNumbering", value);
    }

    public string? CustomerReferenceTemplate
    {
        get => GetString(_root, "CustomerReferenceTemplate");
        set => Set(_root, "CustomerReferenceTemplate", value);
    }

    public string? CustomerCodeStrategy
    {
        get => GetString(_root, "CustomerCodeStrategy");
        set => Set(_root, "CustomerCodeStrategy", value);
    }

    // ---- nominal codes

    public string? GetNominal(string name) => _root["Nominals"] is JsonObject n ? GetString(n, name) : null;

    public void SetNominal(string name, string? code)
    {
        var nominals = _root["Nominals"] as JsonObject;
        if (nominals is null)
        {
            if (string.IsNullOrWhiteSpace(code))
                return;
            nominals = new JsonObject();
            _root["Nominals"] = nominals;
        }
        Set(nominals, name, string.IsNullOrWhiteSpace(code) ? null : code.Trim());
    }

    // ---- payment methods

    public IReadOnlyList<PaymentMethodRule> PaymentMethods
    {
        get
        {
            if (_root["PaymentMethods"] is not JsonObject map)
                return [];
            return map.Where(p => p.Value is JsonObject)
                .Select(p => new PaymentMethodRule(p.Key, (int)(GetLong((JsonObject)p.Value!, "MethodId") ?? 0), (int)(GetLong((JsonObject)p.Value!, "BankAccountId") ?? 0)))
                .ToList();
        }
        set
        {
            var map = new JsonObject();
            foreach (var rule in value.Where(r => !string.IsNullOrWhiteSpace(r.SystemName)))
                map[rule.SystemName.Trim()] = new JsonObject { ["MethodId"] = rule.MethodId, ["BankAccountId"] = rule.BankAccountId };
            _root["PaymentMethods"] = map;
        }
    }

    public PaymentMethodRule? DefaultPaymentMethod
    {
        get => _root["DefaultPaymentMethod"] is JsonObject d
            ? new PaymentMethodRule(string.Empty, (int)(GetLong(d, "MethodId") ?? 0), (int)(GetLong(d, "BankAccountId") ?? 0))
            : null;
        set => _root["DefaultPaymentMethod"] = value is null ? null : new JsonObject { ["MethodId"] = value.MethodId, ["BankAccountId"] = value.BankAccountId };
    }

    // ---- helpers: tolerate numbers written as strings and the reverse

    private static string? GetString(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    private static long? GetLong(JsonObject o, string name) => o[name] switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static bool? GetBool(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static void Set<T>(JsonObject o, string name, T? value)
    {
        if (value is null)
            o.Remove(name);
        else
            o[name] = JsonValue.Create(value);
    }
}
