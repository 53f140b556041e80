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

    // ---- invoice numbering and customer codes (MappingRules.InvoiceNumber / CustomerCodes)

    public const string OrderIdPlusOffset = "OrderIdPlusOffset";
    public const string KashFlowAssigns = "KashFlowAssigns";

    public long? InvoiceNumberOffset
    {
        get => Child("InvoiceNumber") is { } n ? GetLong(n, "Offset") : null;
        set => Set(Child("InvoiceNumber", create: value is not null), "Offset", value);
    }

    /// <summary>True when KashFlow assigns invoice numbers (Strategy KashFlowAssigns); null = engine default.</summary>
    public bool? UseKashFlowNumbering
    {
        get => Child("InvoiceNumber") is { } n && GetString(n, "Strategy") is { } s ? s == KashFlowAssigns : null;
        set => Set(Child("InvoiceNumber", create: value is not null), "Strategy", value is null ? null : value.Value ? KashFlowAssigns : OrderIdPlusOffset);
    }

    public string? CustomerReferenceTemplate
    {
        get => GetString(_root, "CustomerReferenceTemplate");
        set => Set(_root, "CustomerReferenceTemplate", value);
    }

    /// <summary>MappingRules.CustomerCodes.Strategy: FromCustomerId or FromEmail.</summary>
    public string? CustomerCodeStrategy
    {
        get => Child("CustomerCodes") is { } c ? GetString(c, "Strategy") : null;
        set => Set(Child("CustomerCodes", create: value is not null), "Strategy", value);
    }

    // ---- policies (MappingRules.RewardPoints / GiftCards / SkuLessItems): the engine's enum names

    /// <summary>MappingRules.RewardPoints.Policy: Discount or PaymentFromAccount; null = engine default.</summary>
    public string? RewardPointsPolicy
    {
        get => Child("RewardPoints") is { } c ? GetString(c, "Policy") : null;
        set => Set(Child("RewardPoints", create: value is not null), "Policy", value);
    }

    /// <summary>MappingRules.RewardPoints.Payment: the account points are paid from (PaymentFromAccount).</summary>
    public PaymentMethodRule? RewardPointsPayment
    {
        get => GetPayment("RewardPoints");
        set => SetPayment("RewardPoints", value);
    }

    /// <summary>MappingRules.GiftCards.Policy: Payment or NegativeLine; null = engine default.</summary>
    public string? GiftCardPolicy
    {
        get => Child("GiftCards") is { } c ? GetString(c, "Policy") : null;
        set => Set(Child("GiftCards", create: value is not null), "Policy", value);
    }

    /// <summary>MappingRules.GiftCards.Payment: the gift-card clearing account (Payment policy).</summary>
    public PaymentMethodRule? GiftCardPayment
    {
        get => GetPayment("GiftCards");
        set => SetPayment("GiftCards", value);
    }

    /// <summary>MappingRules.SkuLessItems: DescriptionLine or Refuse; null = engine default.</summary>
    public string? SkuLessItems
    {
        get => GetString(_root, "SkuLessItems");
        set => Set(_root, "SkuLessItems", value);
    }

    private PaymentMethodRule? GetPayment(string section) =>
        Child(section) is { } c && c["Payment"] is JsonObject p
            ? new PaymentMethodRule(string.Empty, (int)(GetLong(p, "MethodId") ?? 0), (int)(GetLong(p, "BankAccountId") ?? 0))
            : null;

    // Setting null leaves the engine's default in place (the member is removed, not written as null).
    private void SetPayment(string section, PaymentMethodRule? value)
    {
        if (value is null)
        {
            Child(section)?.Remove("Payment");
            return;
        }
        Child(section, create: true)!["Payment"] = new JsonObject { ["MethodId"] = value.MethodId, ["BankAccountId"] = value.BankAccountId };
    }

    // ---- nominal codes (MappingRules.Nominals: Sales, Shipping, Discounts, PaymentFee, GiftCard, RewardPoints, Rounding)

    public int? GetNominal(string name) => Child("Nominals") is { } n && GetLong(n, name) is { } code ? (int)code : null;

    public void SetNominal(string name, int? code) => Set(Child("Nominals", create: code is not null), name, code);

    private JsonObject? Child(string name, bool create = false)
    {
        if (_root[name] is JsonObject child)
            return child;
        if (!create)
            return null;
        child = new JsonObject();
        _root[name] = child;
        return child;
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

    private static void Set<T>(JsonObject? o, string name, T? value)
    {
        if (o is null)
            return;
        if (value is null)
            o.Remove(name);
        else
            o[name] = JsonValue.Create(value);
    }
}
