// A typed window onto the mapping rules JSON document (MappingRules in core/src/mapping/rules.rs): the
// members the configure page edits are typed records read and written by System.Text.Json; everything
// else in the document (per-SKU overrides, VAT, future members) rides along in each record's extension
// data and is written back as it came. The engine owns the defaults and the validation; a member left
// null is left out, so the engine's default applies.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.KashFlow.Domain;

public sealed record PaymentMethodRule(string SystemName, int MethodId, int BankAccountId);

public sealed class RulesDocument
{
    private readonly MappingRulesDocument _root;

    private RulesDocument(MappingRulesDocument root)
    {
        _root = root;
    }

    /// <summary>Parses the stored document; blank means "the engine's defaults" (an empty object). FormatException when it is not a rules object.</summary>
    public static RulesDocument Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new RulesDocument(new MappingRulesDocument());
        try
        {
            return JsonSerializer.Deserialize(json, RulesJsonContext.Default.MappingRulesDocument) is { } root
                ? new RulesDocument(root)
                : throw new FormatException("The mapping rules must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The mapping rules must be a JSON object of the engine's rules: {ex.Message}", ex);
        }
    }

    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(_root, indented ? RulesJsonContext.Indented.MappingRulesDocument : RulesJsonContext.Default.MappingRulesDocument);

    // ---- invoice numbering and customer codes (MappingRules.InvoiceNumber / CustomerCodes)

    public const string OrderIdPlusOffset = EngineNames.OrderIdPlusOffset;
    public const string KashFlowAssigns = EngineNames.KashFlowAssigns;

    public long? InvoiceNumberOffset
    {
        get => _root.InvoiceNumber?.Offset;
        set => Section(_root.InvoiceNumber, v => _root.InvoiceNumber = v, value is not null)?.Let(n => n.Offset = value);
    }

    /// <summary>True when KashFlow assigns invoice numbers (Strategy KashFlowAssigns); null = engine default.</summary>
    public bool? UseKashFlowNumbering
    {
        get => _root.InvoiceNumber?.Strategy is { } s ? s == KashFlowAssigns : null;
        set => Section(_root.InvoiceNumber, v => _root.InvoiceNumber = v, value is not null)
            ?.Let(n => n.Strategy = value is null ? null : value.Value ? KashFlowAssigns : OrderIdPlusOffset);
    }

    public string? CustomerReferenceTemplate
    {
        get => _root.CustomerReferenceTemplate;
        set => _root.CustomerReferenceTemplate = value;
    }

    /// <summary>MappingRules.CustomerCodes.Strategy: FromCustomerId or FromEmail.</summary>
    public string? CustomerCodeStrategy
    {
        get => _root.CustomerCodes?.Strategy;
        set => Section(_root.CustomerCodes, v => _root.CustomerCodes = v, value is not null)?.Let(c => c.Strategy = value);
    }

    // ---- product codes (MappingRules.ProductCodes): by default a SKU is its KashFlow product code

    /// <summary>The KashFlow product code the engine posts for <paramref name="sku"/>: the mapped code, else the SKU
    /// itself (MappingRules::product_code: the key is the SKU exactly as nopCommerce has it).</summary>
    public string ProductCodeFor(string sku) =>
        _root.ProductCodes is { } map && map.TryGetValue(sku, out var code) && !string.IsNullOrEmpty(code) ? code : sku;

    /// <summary>Every SKU mapped to another code.</summary>
    public IReadOnlyDictionary<string, string> ProductCodes => _root.ProductCodes ?? new Dictionary<string, string>();

    /// <summary>Maps <paramref name="sku"/> to <paramref name="code"/>; a blank code (or the SKU itself) removes the mapping.</summary>
    public void MapProductCode(string sku, string? code)
    {
        var map = _root.ProductCodes ?? new Dictionary<string, string>(StringComparer.Ordinal);
        map.Remove(sku);
        if (!string.IsNullOrWhiteSpace(code) && code.Trim() != sku)
            map[sku] = code.Trim();
        _root.ProductCodes = map.Count == 0 ? null : map;
    }

    // ---- policies (MappingRules.RewardPoints / GiftCards / SkuLessItems): the engine's enum names (EngineNames)

    /// <summary>MappingRules.RewardPoints.Policy: Discount or PaymentFromAccount; null = engine default.</summary>
    public string? RewardPointsPolicy
    {
        get => _root.RewardPoints?.Policy;
        set => Section(_root.RewardPoints, v => _root.RewardPoints = v, value is not null)?.Let(c => c.Policy = value);
    }

    /// <summary>MappingRules.RewardPoints.Payment: the account points are paid from (PaymentFromAccount).</summary>
    public PaymentMethodRule? RewardPointsPayment
    {
        get => _root.RewardPoints?.Payment?.ToRule(string.Empty);
        set => Section(_root.RewardPoints, v => _root.RewardPoints = v, value is not null)?.Let(c => c.Payment = PaymentMappingDocument.From(value));
    }

    /// <summary>MappingRules.GiftCards.Policy: Payment or NegativeLine; null = engine default.</summary>
    public string? GiftCardPolicy
    {
        get => _root.GiftCards?.Policy;
        set => Section(_root.GiftCards, v => _root.GiftCards = v, value is not null)?.Let(c => c.Policy = value);
    }

    /// <summary>MappingRules.GiftCards.Payment: the gift-card clearing account (Payment policy).</summary>
    public PaymentMethodRule? GiftCardPayment
    {
        get => _root.GiftCards?.Payment?.ToRule(string.Empty);
        set => Section(_root.GiftCards, v => _root.GiftCards = v, value is not null)?.Let(c => c.Payment = PaymentMappingDocument.From(value));
    }

    /// <summary>MappingRules.SkuLessItems: DescriptionLine or Refuse; null = engine default.</summary>
    public string? SkuLessItems
    {
        get => _root.SkuLessItems;
        set => _root.SkuLessItems = value;
    }

    // ---- nominal codes (MappingRules.Nominals: Sales, Shipping, Discounts, PaymentFee, GiftCard, RewardPoints, Rounding)

    public int? GetNominal(string name) => _root.Nominals is { } n && n.Get(name) is { } code ? (int)code : null;

    public void SetNominal(string name, int? code) =>
        Section(_root.Nominals, v => _root.Nominals = v, code is not null)?.Set(name, code);

    // ---- payment methods

    public IReadOnlyList<PaymentMethodRule> PaymentMethods
    {
        get => (_root.PaymentMethods ?? []).Where(p => p.Value is not null).Select(p => p.Value!.ToRule(p.Key)).ToList();
        set => _root.PaymentMethods = value.Where(r => !string.IsNullOrWhiteSpace(r.SystemName))
            .GroupBy(r => r.SystemName.Trim())
            .ToDictionary(g => g.Key, g => (PaymentMappingDocument?)PaymentMappingDocument.From(g.Last()));
    }

    public PaymentMethodRule? DefaultPaymentMethod
    {
        get => _root.DefaultPaymentMethod?.ToRule(string.Empty);
        set => _root.DefaultPaymentMethod = PaymentMappingDocument.From(value);
    }

    /// <summary>The section, created when <paramref name="create"/> (a value is being set) and it is missing.</summary>
    private static T? Section<T>(T? current, Action<T> store, bool create) where T : class, new()
    {
        if (current is not null || !create)
            return current;
        var made = new T();
        store(made);
        return made;
    }
}

internal static class RulesDocumentExtensions
{
    public static void Let<T>(this T value, Action<T> action) => action(value);
}

/// <summary>MappingRules, the members the configure page edits; the rest in <see cref="Other"/>.</summary>
public sealed class MappingRulesDocument
{
    public InvoiceNumberRulesDocument? InvoiceNumber { get; set; }
    public string? CustomerReferenceTemplate { get; set; }
    public CustomerCodeRulesDocument? CustomerCodes { get; set; }
    public Dictionary<string, PaymentMappingDocument?>? PaymentMethods { get; set; }
    public PaymentMappingDocument? DefaultPaymentMethod { get; set; }
    public NominalRulesDocument? Nominals { get; set; }
    public PolicyRulesDocument? RewardPoints { get; set; }
    public PolicyRulesDocument? GiftCards { get; set; }
    public string? SkuLessItems { get; set; }

    /// <summary>MappingRules.ProductCodes: SKU → KashFlow product code, where they differ.</summary>
    public Dictionary<string, string>? ProductCodes { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>MappingRules.InvoiceNumber: Strategy (EngineNames.InvoiceNumberStrategies) and Offset.</summary>
public sealed class InvoiceNumberRulesDocument
{
    public string? Strategy { get; set; }
    public long? Offset { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>MappingRules.CustomerCodes: Strategy (EngineNames.CustomerCodeStrategies); prefix and widths in <see cref="Other"/>.</summary>
public sealed class CustomerCodeRulesDocument
{
    public string? Strategy { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>MappingRules.RewardPoints / GiftCards: a policy name and the account its payments come from.</summary>
public sealed class PolicyRulesDocument
{
    public string? Policy { get; set; }
    public PaymentMappingDocument? Payment { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>MappingRules' PaymentMapping: KashFlow payment method and bank account.</summary>
public sealed class PaymentMappingDocument
{
    public long MethodId { get; set; }
    public long BankAccountId { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    public PaymentMethodRule ToRule(string systemName) => new(systemName, (int)MethodId, (int)BankAccountId);

    public static PaymentMappingDocument? From(PaymentMethodRule? rule) =>
        rule is null ? null : new PaymentMappingDocument { MethodId = rule.MethodId, BankAccountId = rule.BankAccountId };
}

/// <summary>MappingRules.Nominals: the codes the configure page edits, by name; EU B2B sales and per-SKU overrides in <see cref="Other"/>.</summary>
public sealed class NominalRulesDocument
{
    public long? Sales { get; set; }
    public long? Shipping { get; set; }
    public long? Discounts { get; set; }
    public long? PaymentFee { get; set; }
    public long? GiftCard { get; set; }
    public long? RewardPoints { get; set; }
    public long? Rounding { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }

    public long? Get(string name) => name switch
    {
        nameof(Sales) => Sales,
        nameof(Shipping) => Shipping,
        nameof(Discounts) => Discounts,
        nameof(PaymentFee) => PaymentFee,
        nameof(GiftCard) => GiftCard,
        nameof(RewardPoints) => RewardPoints,
        nameof(Rounding) => Rounding,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a nominal the configure page edits"),
    };

    public void Set(string name, long? code)
    {
        switch (name)
        {
            case nameof(Sales): Sales = code; break;
            case nameof(Shipping): Shipping = code; break;
            case nameof(Discounts): Discounts = code; break;
            case nameof(PaymentFee): PaymentFee = code; break;
            case nameof(GiftCard): GiftCard = code; break;
            case nameof(RewardPoints): RewardPoints = code; break;
            case nameof(Rounding): Rounding = code; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "not a nominal the configure page edits");
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(MappingRulesDocument))]
internal sealed partial class RulesJsonContext : JsonSerializerContext
{
    public static RulesJsonContext Indented { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    });
}
