// The first-run wizard's page: which step, which are done, and what each step shows. The fields a step
// saves are the Configure page's own (Configuration, bound as "Configuration.X"), so the wizard and the
// Configure page store the same settings the same way. Plain data (built with new, no services).
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.KashFlow.Models;

public record SetupModel : BaseNopModel
{
    /// <summary>The step shown, 1..<see cref="SetupSteps.Count"/>.</summary>
    public int Step { get; set; } = 1;

    public IList<int> DoneSteps { get; set; } = new List<int>();

    public ConfigurationModel Configuration { get; set; } = new();

    /// <summary>Step 2: the answer of the test, once run.</summary>
    public ConnectionTestModel? ConnectionTest { get; set; }

    /// <summary>Step 2: how much of each list the account has (from the lists the test read).</summary>
    public SetupFoundModel? Found { get; set; }

    /// <summary>Step 4: KashFlow's VAT rates (each invoice line keeps the rate nopCommerce charged; nothing to map).</summary>
    public IList<decimal> KashFlowVatRates { get; set; } = new List<decimal>();

    /// <summary>Step 4: the engine's match of each tax category and currency to KashFlow's (shown, nothing to save).</summary>
    public IList<SetupMatchModel> TaxMatches { get; set; } = new List<SetupMatchModel>();
    public IList<SetupMatchModel> CurrencyMatches { get; set; } = new List<SetupMatchModel>();

    /// <summary>Step 5: products ready, missing and unsold.</summary>
    public ProductReadinessModel? Products { get; set; }

    /// <summary>Step 7: recent orders to try, and the preview of the one picked.</summary>
    public IList<SetupOrderModel> RecentOrders { get; set; } = new List<SetupOrderModel>();
    public PreviewModel? Preview { get; set; }
}

public record SetupFoundModel(int PaymentMethods, int BankAccounts, int Nominals, int VatRates, int Currencies, int Products);

/// <summary>One match the engine found (kfs_suggest_mappings): KashFlow is null when nothing matches; Reason says why either way.</summary>
public record SetupMatchModel(string Store, string? KashFlow, double Confidence, string? Reason);

public record SetupOrderModel(int OrderId, string? CustomOrderNumber, DateTime CreatedOnUtc, decimal OrderTotal);

/// <summary>The wizard's steps, in order (each has a locale resource Setup.Step.&lt;Name&gt;).</summary>
public static class SetupSteps
{
    public const int Connect = 1;
    public const int Test = 2;
    public const int Payments = 3;
    public const int Nominals = 4;
    public const int Products = 5;
    public const int Sync = 6;
    public const int Preview = 7;
    public const int SwitchOn = 8;

    public static IReadOnlyList<string> Names { get; } = ["Connect", "Test", "Payments", "Nominals", "Products", "Sync", "Preview", "SwitchOn"];

    public static int Count => Names.Count;

    /// <summary>The locale resource of step <paramref name="step"/>'s title (1-based).</summary>
    public static string TitleKey(int step) => KashFlowLocales.SetupStepPrefix + Names[step - 1];

    /// <summary>The locale resource of what step <paramref name="step"/> does (1-based).</summary>
    public static string HintKey(int step) => TitleKey(step) + ".Hint";
}
