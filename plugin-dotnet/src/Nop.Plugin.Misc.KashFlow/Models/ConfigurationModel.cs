// The configure page. Credentials travel one way only: the page posts new values, and the model sent to
// the page carries only whether each is stored (the *Stored flags), never the value.
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Models;

public record ConfigurationModel : BaseNopModel
{
    [NopResourceDisplayName(KashFlowLocales.Enabled)]
    public bool Enabled { get; set; }

    [NopResourceDisplayName(KashFlowLocales.Mode)]
    public int ModeId { get; set; }

    public IList<SelectListItem> AvailableModes { get; set; } = new List<SelectListItem>();

    /// <summary>KashFlowTransport: Soap (0, the default) or Rest (1).</summary>
    [NopResourceDisplayName(KashFlowLocales.Transport)]
    public int TransportId { get; set; }

    public IList<SelectListItem> AvailableTransports { get; set; } = new List<SelectListItem>();

    [NopResourceDisplayName(KashFlowLocales.BaseUrl)]
    public string? BaseUrl { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SoapUrl)]
    public string? SoapUrl { get; set; }

    [NopResourceDisplayName(KashFlowLocales.UserName)]
    public string? UserName { get; set; }

    [NopResourceDisplayName(KashFlowLocales.Password)]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    [NopResourceDisplayName(KashFlowLocales.MemorableWord)]
    [DataType(DataType.Password)]
    public string? MemorableWord { get; set; }

    public bool UserNameStored { get; set; }
    public bool PasswordStored { get; set; }
    public bool MemorableWordStored { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RequestsPerSecond)]
    public int RequestsPerSecond { get; set; }

    [NopResourceDisplayName(KashFlowLocales.TimeoutSeconds)]
    public int TimeoutSeconds { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SyncCustomers)]
    public bool SyncCustomers { get; set; }

    [NopResourceDisplayName(KashFlowLocales.CreateInvoices)]
    public bool CreateInvoices { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RecordPayments)]
    public bool RecordPayments { get; set; }

    [NopResourceDisplayName(KashFlowLocales.PullStock)]
    public bool PullStock { get; set; }

    [NopResourceDisplayName(KashFlowLocales.HoldPartialRefunds)]
    public bool HoldPartialRefunds { get; set; }

    [NopResourceDisplayName(KashFlowLocales.WebFarm)]
    public bool WebFarm { get; set; }

    public IList<PaymentMethodMappingModel> PaymentMethodMappings { get; set; } = new List<PaymentMethodMappingModel>();

    [NopResourceDisplayName(KashFlowLocales.DefaultPaymentMethodId)]
    [UIHint("Int32Nullable")]
    public int? DefaultPaymentMethodId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.DefaultBankAccountId)]
    [UIHint("Int32Nullable")]
    public int? DefaultBankAccountId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SalesNominal)]
    [UIHint("Int32Nullable")]
    public int? SalesNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.ShippingNominal)]
    [UIHint("Int32Nullable")]
    public int? ShippingNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.DiscountNominal)]
    [UIHint("Int32Nullable")]
    public int? DiscountNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.PaymentFeeNominal)]
    [UIHint("Int32Nullable")]
    public int? PaymentFeeNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.GiftCardNominal)]
    [UIHint("Int32Nullable")]
    public int? GiftCardNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RewardPointsNominal)]
    [UIHint("Int32Nullable")]
    public int? RewardPointsNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RoundingNominal)]
    [UIHint("Int32Nullable")]
    public int? RoundingNominal { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RewardPointsPolicy)]
    public string? RewardPointsPolicy { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RewardPointsMethodId)]
    [UIHint("Int32Nullable")]
    public int? RewardPointsMethodId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.RewardPointsBankAccountId)]
    [UIHint("Int32Nullable")]
    public int? RewardPointsBankAccountId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.GiftCardPolicy)]
    public string? GiftCardPolicy { get; set; }

    [NopResourceDisplayName(KashFlowLocales.GiftCardMethodId)]
    [UIHint("Int32Nullable")]
    public int? GiftCardMethodId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.GiftCardBankAccountId)]
    [UIHint("Int32Nullable")]
    public int? GiftCardBankAccountId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.SkuLessItems)]
    public string? SkuLessItems { get; set; }

    public IList<SelectListItem> AvailableRewardPointsPolicies { get; set; } = [];

    public IList<SelectListItem> AvailableGiftCardPolicies { get; set; } = [];

    public IList<SelectListItem> AvailableSkuLessItemPolicies { get; set; } = [];

    [NopResourceDisplayName(KashFlowLocales.UseOwnNumbering)]
    public bool UseKashFlowNumbering { get; set; }

    [NopResourceDisplayName(KashFlowLocales.InvoiceNumberOffset)]
    public long? InvoiceNumberOffset { get; set; }

    [NopResourceDisplayName(KashFlowLocales.CustomerReferenceTemplate)]
    public string? CustomerReferenceTemplate { get; set; }

    [NopResourceDisplayName(KashFlowLocales.CustomerCodeStrategy)]
    public string? CustomerCodeStrategy { get; set; }

    public IList<SelectListItem> AvailableCustomerCodeStrategies { get; set; } = new List<SelectListItem>();

    [NopResourceDisplayName(KashFlowLocales.RulesJson)]
    public string? RulesJson { get; set; }

    // status (read-only on the page)
    public bool EngineRunning { get; set; }
    public string? EngineError { get; set; }
    public string? NativeVersion { get; set; }
    /// <summary>Why the native library does not load here and what to do, or null.</summary>
    public string? NativeLibraryProblem { get; set; }
    /// <summary>Why App_Data/KashFlow could not be read at start-up and what to do, or null.</summary>
    public string? DataFolderProblem { get; set; }
    public int SpooledDocuments { get; set; }
    public IDictionary<string, long> StatusCounts { get; set; } = new Dictionary<string, long>();

    /// <summary>The counts in words ("32 posted, 27 need attention, 1 waiting"), or null when the engine is not running.</summary>
    public string? StatusLine { get; set; }

    /// <summary>The setup wizard's step to resume at, or null once it is finished ("Continue setup (step 3 of 8)").</summary>
    public int? SetupStep { get; set; }

    /// <summary>Published products KashFlow has no product for (null until KashFlow's lists are read).</summary>
    public int? ProductsMissing { get; set; }

    /// <summary>The answer of the last Test connection (shown once, after the test).</summary>
    public ConnectionTestModel? ConnectionTest { get; set; }

    /// <summary>KashFlow's lists have been read: payment methods, bank accounts and nominal codes are offered by name.</summary>
    public bool LookupsLoaded { get; set; }
    public DateTime? LookupsReadUtc { get; set; }
    public IList<SelectListItem> DefaultMethodOptions { get; set; } = new List<SelectListItem>();
    public IList<SelectListItem> DefaultBankAccountOptions { get; set; } = new List<SelectListItem>();
    public SuggestionModel? DefaultMethodSuggestion { get; set; }
    public SuggestionModel? DefaultBankAccountSuggestion { get; set; }

    /// <summary>Per other id field (RewardPointsMethodId, GiftCardBankAccountId, ...): KashFlow's choices by name.</summary>
    public IDictionary<string, IList<SelectListItem>> OtherOptions { get; set; } = new Dictionary<string, IList<SelectListItem>>();

    /// <summary>Per nominal role (Sales, Shipping, ...): the account's nominal codes by name, and the suggested one.</summary>
    public IDictionary<string, IList<SelectListItem>> NominalOptions { get; set; } = new Dictionary<string, IList<SelectListItem>>();
    public IDictionary<string, SuggestionModel> NominalSuggestions { get; set; } = new Dictionary<string, SuggestionModel>();
}

/// <summary>
/// What the engine suggests for a field (kfs_suggest_mappings): Text names it with its confidence and reason.
/// Preselected: the field was empty, so the suggestion is selected on the page (saved only when the admin saves).
/// </summary>
public record SuggestionModel(string Target, string Text, bool Preselected);

public record PaymentMethodMappingModel : BaseNopModel
{
    [NopResourceDisplayName(KashFlowLocales.PaymentSystemName)]
    public string? SystemName { get; set; }

    [NopResourceDisplayName(KashFlowLocales.PaymentMethodId)]
    [UIHint("Int32Nullable")]
    public int? MethodId { get; set; }

    [NopResourceDisplayName(KashFlowLocales.BankAccountId)]
    [UIHint("Int32Nullable")]
    public int? BankAccountId { get; set; }

    // when KashFlow's lists are read: the choices by name, and the engine's suggestion for this payment method
    public IList<SelectListItem> MethodOptions { get; set; } = new List<SelectListItem>();
    public IList<SelectListItem> BankAccountOptions { get; set; } = new List<SelectListItem>();
    public SuggestionModel? MethodSuggestion { get; set; }
    public SuggestionModel? BankAccountSuggestion { get; set; }
}
