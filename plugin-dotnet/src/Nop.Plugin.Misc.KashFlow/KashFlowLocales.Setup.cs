// The texts of the product readiness page, the setup wizard, the Configure page's links to them and the
// order note of a failed job: part of
// KashFlowLocales (All includes them), kept beside the pages that use them.
namespace Nop.Plugin.Misc.KashFlow;

public static partial class KashFlowLocales
{
    public const string MenuProducts = P + "Menu.Products";
    public const string MenuSetup = P + "Menu.Setup";

    public const string ProductsTitle = P + "Products.Title";
    public const string ProductsExplained = P + "Products.Explained";
    public const string ProductsNotRead = P + "Products.NotRead";
    public const string ProductsRead = P + "Products.Read";
    public const string ProductsSummary = P + "Products.Summary";
    public const string ProductsWithoutSku = P + "Products.WithoutSku";
    public const string ProductsMissingTitle = P + "Products.Missing.Title";
    public const string ProductsNoneMissing = P + "Products.Missing.None";
    public const string ProductsTickAll = P + "Products.TickAll";
    public const string ProductsName = P + "Products.Name";
    public const string ProductsSku = P + "Products.Sku";
    public const string ProductsCode = P + "Products.Code";
    public const string ProductsPrice = P + "Products.Price";
    public const string ProductsMapTo = P + "Products.MapTo";
    public const string ProductsMap = P + "Products.Map";
    public const string ProductsSkuIsCode = P + "Products.SkuIsCode";
    public const string ProductsMapped = P + "Products.Mapped";
    public const string ProductsUnmapped = P + "Products.Unmapped";
    public const string ProductsMapNoSku = P + "Products.MapNoSku";
    public const string ProductsCreateTicked = P + "Products.CreateTicked";
    public const string ProductsCreateAll = P + "Products.CreateAll";
    public const string ProductsProgress = P + "Products.Progress";
    public const string ProductsBatchSize = P + "Products.BatchSize";
    public const string ProductsNoSku = P + "Products.NoSku";
    public const string ProductsUnsoldTitle = P + "Products.Unsold.Title";
    public const string ProductsUnsoldExplained = P + "Products.Unsold.Explained";
    public const string ProductsNoneUnsold = P + "Products.Unsold.None";

    public const string SetupTitle = P + "Setup.Title";
    public const string SetupProgress = P + "Setup.Progress";
    public const string SetupDone = P + "Setup.Done";
    public const string SetupNext = P + "Setup.Next";
    public const string SetupSaveNext = P + "Setup.SaveNext";
    public const string SetupApiExplained = P + "Setup.ApiExplained";
    public const string SetupSandboxExplained = P + "Setup.SandboxExplained";
    public const string SetupPasswordExplained = P + "Setup.PasswordExplained";
    public const string SetupIpExplained = P + "Setup.IpExplained";
    public const string SetupFound = P + "Setup.Found";
    public const string SetupCounts = P + "Setup.Counts";
    public const string SetupOtherPayments = P + "Setup.OtherPayments";
    public const string SetupOpenProducts = P + "Setup.OpenProducts";
    public const string SetupVatRates = P + "Setup.VatRates";
    public const string SetupMatchesExplained = P + "Setup.Matches";
    public const string SetupMatchStore = P + "Setup.Matches.Store";
    public const string SetupMatchKashFlow = P + "Setup.Matches.KashFlow";
    public const string SetupMatchWhy = P + "Setup.Matches.Why";
    public const string SetupMatchNone = P + "Setup.Matches.None";
    public const string SetupNoOrders = P + "Setup.NoOrders";
    public const string SetupSwitchOn = P + "Setup.SwitchOn";
    public const string SetupFinished = P + "Setup.Finished";
    public const string SetupContinue = P + "Setup.Continue";
    public const string SetupStart = P + "Setup.Start";
    public const string ConfigureProductsLink = P + "Configure.ProductsLink";
    public const string ConfigureProductsMissing = P + "Configure.ProductsMissing";

    /// <summary>The order note of a failed job: {0} the phrase for its error code, {1} the code.</summary>
    public const string OrderNoteFailed = P + "OrderNote.Failed";

    /// <summary>Each step's title and hint: Setup.Step.&lt;Name&gt; and Setup.Step.&lt;Name&gt;.Hint (Models.SetupSteps.Names).</summary>
    public static string SetupStepPrefix => P + "Setup.Step.";

    private static Dictionary<string, string> SetupResources() => new()
    {
        [OrderNoteFailed] = "KashFlow Sync could not finish this order in KashFlow. {0} ({1})",
        [MenuProducts] = "Products",
        [MenuSetup] = "Setup wizard",

        [ProductsTitle] = "KashFlow products",
        [ProductsExplained] = "Every product on an order must exist in KashFlow with its SKU as the product code, or the order waits. Here are the shop's published products KashFlow does not have yet: create them in KashFlow, or map a SKU to a KashFlow product you already have. Orders that waited for a product are sent again by themselves once it exists.",
        [ProductsNotRead] = "KashFlow's lists have not been read yet: press \"Read KashFlow's lists\" to compare the shop's products with KashFlow's.",
        [ProductsRead] = "KashFlow's lists read: {0} product(s). Orders that waited for a product KashFlow now has are queued again.",
        [ProductsSummary] = "{0} published product(s): {1} ready, {2} missing in KashFlow; {3} KashFlow product(s) the shop does not sell.",
        [ProductsWithoutSku] = "{0} published product(s) have no SKU: the mapping rules' \"items without a SKU\" setting decides how they are posted.",
        [ProductsMissingTitle] = "Missing in KashFlow",
        [ProductsNoneMissing] = "Every published product with a SKU has its KashFlow product.",
        [ProductsTickAll] = "Tick all",
        [ProductsName] = "Product",
        [ProductsSku] = "SKU",
        [ProductsCode] = "KashFlow product code",
        [ProductsPrice] = "Price",
        [ProductsMapTo] = "Map to…",
        [ProductsMap] = "Map",
        [ProductsSkuIsCode] = "(the SKU itself)",
        [ProductsMapped] = "SKU {0} is posted as KashFlow product {1}.",
        [ProductsUnmapped] = "SKU {0} is posted as itself again.",
        [ProductsMapNoSku] = "Choose a product with a SKU to map.",
        [ProductsCreateTicked] = "Create the ticked in KashFlow",
        [ProductsCreateAll] = "Create all {0} in KashFlow",
        [ProductsProgress] = "{0} of {1} created, {2} failed.",
        [ProductsBatchSize] = "Send between 1 and {0} products at a time.",
        [ProductsNoSku] = "A product without a SKU cannot be created in KashFlow: give it a SKU first.",
        [ProductsUnsoldTitle] = "In KashFlow, not sold by the shop",
        [ProductsUnsoldExplained] = "KashFlow products no published product posts to. Nothing needs doing; map a SKU to one of them if it is the same thing.",
        [ProductsNoneUnsold] = "None.",

        [SetupTitle] = "KashFlow setup",
        [SetupProgress] = "Step {0} of {1}",
        [SetupDone] = "done",
        [SetupNext] = "Next",
        [SetupSaveNext] = "Save and continue",
        [SetupApiExplained] = "SOAP is KashFlow's established API and is recommended. Its settings are in KashFlow under Settings → API settings: switch the API on there and set an API password. REST v2 also needs your memorable word; KashFlow calls it not ready for public use.",
        [SetupSandboxExplained] = "Sandbox talks to a test KashFlow built into this plugin, so you can try everything without touching your books. Choose Live when you are ready.",
        [SetupPasswordExplained] = "For SOAP this is the API password from KashFlow → Settings → API settings, not your login password.",
        [SetupIpExplained] = "If KashFlow's API settings restrict access by IP address, add this web server's public IP address there, or KashFlow refuses the connection.",
        [SetupFound] = "Connected to {0}. VAT: {1}. Home currency: {2}.",
        [SetupCounts] = "Found {0} payment method(s), {1} bank account(s), {2} nominal code(s), {3} VAT rate(s), {4} currency(ies) and {5} product(s).",
        [SetupOtherPayments] = "Any other payment method",
        [SetupOpenProducts] = "Open the products page",
        [SetupMatchesExplained] = "How the shop's tax categories and currencies match KashFlow's, as KashFlow Sync sees them. Nothing to choose here: each order is posted with the VAT rate and currency nopCommerce charged. A row without a match needs the rate or currency added in KashFlow.",
        [SetupMatchStore] = "nopCommerce",
        [SetupMatchKashFlow] = "KashFlow",
        [SetupMatchWhy] = "Why",
        [SetupMatchNone] = "No match",
        [SetupVatRates] = "KashFlow's VAT rates: {0}. Nothing to map: each invoice line keeps the VAT rate nopCommerce charged, and the preview says so if KashFlow lacks one.",
        [SetupNoOrders] = "The shop has no orders yet: this step can be skipped.",
        [SetupSwitchOn] = "Switch synchronisation on",
        [SetupFinished] = "KashFlow synchronisation is on: new orders are sent to KashFlow.",
        [SetupContinue] = "Continue setup (step {0} of {1})",
        [SetupStart] = "Set up with the wizard",
        [ConfigureProductsLink] = "Check products",
        [ConfigureProductsMissing] = "{0} published product(s) are missing in KashFlow.",

        [SetupStepPrefix + "Connect"] = "Connect",
        [SetupStepPrefix + "Connect.Hint"] = "Which KashFlow API to use and its login. Nothing is sent to KashFlow until synchronisation is switched on in the last step.",
        [SetupStepPrefix + "Test"] = "Test the connection",
        [SetupStepPrefix + "Test.Hint"] = "Logs in to KashFlow and reads its lists (payment methods, bank accounts, nominal codes, VAT rates, currencies, products).",
        [SetupStepPrefix + "Payments"] = "Payment methods",
        [SetupStepPrefix + "Payments.Hint"] = "Which KashFlow payment method and bank account each of the shop's payment methods is recorded with. The suggested ones are selected where nothing is chosen yet; change any you disagree with.",
        [SetupStepPrefix + "Nominals"] = "Nominal codes",
        [SetupStepPrefix + "Nominals.Hint"] = "Which nominal codes sales, shipping, discounts and the rest are posted to. The suggested ones are selected where nothing is chosen yet; change any you disagree with.",
        [SetupStepPrefix + "Products"] = "Products",
        [SetupStepPrefix + "Products.Hint"] = "Every product sold must exist in KashFlow. The products page creates the missing ones or maps them to existing KashFlow products.",
        [SetupStepPrefix + "Sync"] = "What to sync",
        [SetupStepPrefix + "Sync.Hint"] = "What KashFlow Sync does for each order.",
        [SetupStepPrefix + "Preview"] = "Try an order",
        [SetupStepPrefix + "Preview.Hint"] = "Pick a recent order to see the invoice KashFlow would get. Nothing is sent.",
        [SetupStepPrefix + "SwitchOn"] = "Switch on",
        [SetupStepPrefix + "SwitchOn.Hint"] = "From now on every new order is sent to KashFlow. Orders placed before now are not sent on their own (the Backfill page offers them).",
    };
}
