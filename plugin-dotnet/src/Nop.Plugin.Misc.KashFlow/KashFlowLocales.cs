// Every user-visible string of the plugin, in one place: installed by InstallAsync, removed by
// UninstallAsync (by the common prefix), referenced from models ([NopResourceDisplayName]), the
// controller, the menu and the views by these constants.
namespace Nop.Plugin.Misc.KashFlow;

public static class KashFlowLocales
{
    private const string P = KashFlowDefaults.LocalePrefix + ".";

    public const string MenuTitle = P + "Menu.Title";
    public const string MenuConfigure = P + "Menu.Configure";
    public const string MenuSyncLog = P + "Menu.SyncLog";

    public const string ConfigureTitle = P + "Configure.Title";
    public const string ConfigureInstructions = P + "Configure.Instructions";
    public const string CardConnection = P + "Configure.Card.Connection";
    public const string CardSteps = P + "Configure.Card.Steps";
    public const string CardPayments = P + "Configure.Card.Payments";
    public const string CardNominals = P + "Configure.Card.Nominals";
    public const string CardNumbering = P + "Configure.Card.Numbering";
    public const string CardStatus = P + "Configure.Card.Status";
    public const string Saved = P + "Configure.Saved";
    public const string SaveFailed = P + "Configure.SaveFailed";
    public const string SecretStored = P + "Configure.SecretStored";
    public const string SecretNotStored = P + "Configure.SecretNotStored";
    public const string TestConnection = P + "Configure.TestConnection";
    public const string TestConnectionOk = P + "Configure.TestConnection.Ok";
    public const string TestConnectionFailed = P + "Configure.TestConnection.Failed";
    public const string EngineRunning = P + "Configure.Engine.Running";
    public const string EngineStopped = P + "Configure.Engine.Stopped";
    public const string EngineNotRunning = P + "Engine.NotRunning";
    public const string SpoolCount = P + "Configure.Engine.Spooled";

    public const string Enabled = P + "Fields.Enabled";
    public const string Mode = P + "Fields.Mode";
    public const string BaseUrl = P + "Fields.BaseUrl";
    public const string UserName = P + "Fields.UserName";
    public const string Password = P + "Fields.Password";
    public const string MemorableWord = P + "Fields.MemorableWord";
    public const string RequestsPerSecond = P + "Fields.RequestsPerSecond";
    public const string TimeoutSeconds = P + "Fields.TimeoutSeconds";
    public const string SyncCustomers = P + "Fields.SyncCustomers";
    public const string CreateInvoices = P + "Fields.CreateInvoices";
    public const string RecordPayments = P + "Fields.RecordPayments";
    public const string PullStock = P + "Fields.PullStock";
    public const string PaymentSystemName = P + "Fields.PaymentSystemName";
    public const string PaymentMethodId = P + "Fields.PaymentMethodId";
    public const string BankAccountId = P + "Fields.BankAccountId";
    public const string DefaultPaymentMethodId = P + "Fields.DefaultPaymentMethodId";
    public const string DefaultBankAccountId = P + "Fields.DefaultBankAccountId";
    public const string SalesNominal = P + "Fields.SalesNominal";
    public const string ShippingNominal = P + "Fields.ShippingNominal";
    public const string DiscountNominal = P + "Fields.DiscountNominal";
    public const string PaymentFeeNominal = P + "Fields.PaymentFeeNominal";
    public const string GiftCardNominal = P + "Fields.GiftCardNominal";
    public const string RewardPointsNominal = P + "Fields.RewardPointsNominal";
    public const string RoundingNominal = P + "Fields.RoundingNominal";
    public const string UseOwnNumbering = P + "Fields.UseOwnNumbering";
    public const string InvoiceNumberOffset = P + "Fields.InvoiceNumberOffset";
    public const string CustomerReferenceTemplate = P + "Fields.CustomerReferenceTemplate";
    public const string CustomerCodeStrategy = P + "Fields.CustomerCodeStrategy";
    public const string RulesJson = P + "Fields.RulesJson";

    public const string SyncLogTitle = P + "SyncLog.Title";
    public const string SearchState = P + "SyncLog.SearchState";
    public const string SearchOrderNumber = P + "SyncLog.SearchOrderNumber";
    public const string SearchCreatedFrom = P + "SyncLog.SearchCreatedFrom";
    public const string SearchCreatedTo = P + "SyncLog.SearchCreatedTo";
    public const string AllStates = P + "SyncLog.AllStates";
    public const string ColumnRecord = P + "SyncLog.Column.Record";
    public const string ColumnOrder = P + "SyncLog.Column.Order";
    public const string ColumnKind = P + "SyncLog.Column.Kind";
    public const string ColumnState = P + "SyncLog.Column.State";
    public const string ColumnAttempts = P + "SyncLog.Column.Attempts";
    public const string ColumnInvoice = P + "SyncLog.Column.Invoice";
    public const string ColumnLastError = P + "SyncLog.Column.LastError";
    public const string ColumnUpdated = P + "SyncLog.Column.Updated";
    public const string Details = P + "SyncLog.Details";
    public const string Retry = P + "SyncLog.Retry";
    public const string RetryQueued = P + "SyncLog.Retry.Queued";
    public const string RetryAllFailed = P + "SyncLog.RetryAllFailed";
    public const string RetryAllFailedDone = P + "SyncLog.RetryAllFailed.Done";
    public const string RecordTitle = P + "Record.Title";
    public const string RecordNotFound = P + "Record.NotFound";
    public const string BackToLog = P + "Record.BackToLog";

    public const string PreviewTitle = P + "Preview.Title";
    public const string PreviewOrder = P + "Preview.Order";
    public const string PreviewButton = P + "Preview.Button";
    public const string PreviewInvoice = P + "Preview.Invoice";
    public const string PreviewSnapshot = P + "Preview.Snapshot";
    public const string OrderNotFound = P + "Preview.OrderNotFound";
    public const string Resync = P + "Resync";
    public const string ResyncDone = P + "Resync.Done";
    public const string ResyncSpooled = P + "Resync.Spooled";

    /// <summary>English text of every resource. Keys ending in ".Hint" are the tooltips of fields.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [MenuTitle] = "KashFlow",
        [MenuConfigure] = "Settings",
        [MenuSyncLog] = "Sync log",

        [ConfigureTitle] = "KashFlow settings",
        [ConfigureInstructions] = "Every order becomes a KashFlow sales invoice with its customer, payment and stock movement. Enter your KashFlow login (the memorable word is the one KashFlow asks for at sign-in), choose how payment methods and nominal codes map, and switch synchronisation on. Sandbox mode talks to a built-in test KashFlow on this server, so nothing reaches your real books.",
        [CardConnection] = "KashFlow connection",
        [CardSteps] = "What to synchronise",
        [CardPayments] = "Payment methods",
        [CardNominals] = "Nominal codes",
        [CardNumbering] = "Invoice numbers and customer codes",
        [CardStatus] = "Engine status",
        [Saved] = "The KashFlow settings are saved.",
        [SaveFailed] = "The settings were saved, but the sync engine did not accept them: {0}",
        [SecretStored] = "stored (leave blank to keep)",
        [SecretNotStored] = "not set",
        [TestConnection] = "Test connection",
        [TestConnectionOk] = "Connected to KashFlow: {0}",
        [TestConnectionFailed] = "KashFlow did not accept the connection: {0}",
        [EngineRunning] = "The sync engine is running.",
        [EngineStopped] = "The sync engine is not running.",
        [EngineNotRunning] = "The sync engine is not running (switch synchronisation on and save the settings).",
        [SpoolCount] = "Documents waiting in the spool: {0}",

        [Enabled] = "Synchronisation on",
        [Enabled + ".Hint"] = "When off, orders are not sent to KashFlow and the engine is stopped.",
        [Mode] = "Mode",
        [Mode + ".Hint"] = "Sandbox uses a built-in test KashFlow; Live uses your real KashFlow account.",
        [BaseUrl] = "API address",
        [BaseUrl + ".Hint"] = "Leave blank for KashFlow's own address (https://api.kashflow.com/v2).",
        [UserName] = "KashFlow username",
        [UserName + ".Hint"] = "Stored encrypted and never shown again. Leave blank to keep the stored one.",
        [Password] = "KashFlow password",
        [Password + ".Hint"] = "Stored encrypted and never shown again. Leave blank to keep the stored one.",
        [MemorableWord] = "Memorable word",
        [MemorableWord + ".Hint"] = "The whole memorable word; stored encrypted and never shown again. Leave blank to keep the stored one.",
        [RequestsPerSecond] = "Requests per second",
        [RequestsPerSecond + ".Hint"] = "The most requests a second sent to KashFlow.",
        [TimeoutSeconds] = "Request timeout (seconds)",
        [TimeoutSeconds + ".Hint"] = "How long one KashFlow request may take before it is retried later.",
        [SyncCustomers] = "Create and update customers",
        [SyncCustomers + ".Hint"] = "Create the KashFlow customer of each order (or update it).",
        [CreateInvoices] = "Create invoices",
        [CreateInvoices + ".Hint"] = "Create a KashFlow sales invoice for each order.",
        [RecordPayments] = "Record payments",
        [RecordPayments + ".Hint"] = "Record the payment on the invoice when an order is paid.",
        [PullStock] = "Take stock levels from KashFlow",
        [PullStock + ".Hint"] = "Set product stock quantities from KashFlow's stock levels.",
        [PaymentSystemName] = "nopCommerce payment method",
        [PaymentSystemName + ".Hint"] = "System name of the payment method, e.g. Payments.Manual.",
        [PaymentMethodId] = "KashFlow payment method",
        [PaymentMethodId + ".Hint"] = "The KashFlow invoice payment method id (1 Cash, 2 Cheque, 3 BACS, 4 Credit/Debit Card, 5 PayPal).",
        [BankAccountId] = "KashFlow bank account",
        [BankAccountId + ".Hint"] = "The KashFlow bank account id the payment goes to.",
        [DefaultPaymentMethodId] = "Other payment methods: KashFlow method",
        [DefaultPaymentMethodId + ".Hint"] = "Used for payment methods not listed above. Leave blank to treat an unlisted method as an error.",
        [DefaultBankAccountId] = "Other payment methods: bank account",
        [DefaultBankAccountId + ".Hint"] = "Bank account for payment methods not listed above.",
        [SalesNominal] = "Sales",
        [SalesNominal + ".Hint"] = "Nominal code of product sales.",
        [ShippingNominal] = "Shipping",
        [ShippingNominal + ".Hint"] = "Nominal code of shipping charges.",
        [DiscountNominal] = "Discounts",
        [DiscountNominal + ".Hint"] = "Nominal code of order discounts.",
        [PaymentFeeNominal] = "Payment fees",
        [PaymentFeeNominal + ".Hint"] = "Nominal code of payment method fees charged to the customer.",
        [GiftCardNominal] = "Gift cards",
        [GiftCardNominal + ".Hint"] = "Nominal code of gift card redemptions (a liability).",
        [RewardPointsNominal] = "Reward points",
        [RewardPointsNominal + ".Hint"] = "Nominal code of reward points redeemed.",
        [RoundingNominal] = "Rounding",
        [RoundingNominal + ".Hint"] = "Nominal code of the penny differences between nopCommerce and KashFlow totals.",
        [UseOwnNumbering] = "Let KashFlow number invoices",
        [UseOwnNumbering + ".Hint"] = "When ticked, KashFlow gives each invoice its next number; otherwise the invoice number is the offset plus the order id.",
        [InvoiceNumberOffset] = "Invoice number offset",
        [InvoiceNumberOffset + ".Hint"] = "Invoice number = this offset + the nopCommerce order id.",
        [CustomerReferenceTemplate] = "Customer reference",
        [CustomerReferenceTemplate + ".Hint"] = "Reference printed on the invoice; {CustomOrderNumber} and {OrderId} are replaced.",
        [CustomerCodeStrategy] = "Customer code",
        [CustomerCodeStrategy + ".Hint"] = "How the KashFlow customer code is made for a registered customer: from the nopCommerce customer id (NOP000123) or from the e-mail address. Guests get theirs from the e-mail address (change GuestStrategy in the rules JSON).",
        [RulesJson] = "Mapping rules (JSON)",
        [RulesJson + ".Hint"] = "The whole rules document the engine uses, including per-SKU overrides. The fields above edit parts of it.",

        [SyncLogTitle] = "KashFlow sync log",
        [SearchState] = "State",
        [SearchState + ".Hint"] = "Show only records in this state.",
        [SearchOrderNumber] = "Order number",
        [SearchOrderNumber + ".Hint"] = "The order's number (custom order number or id).",
        [SearchCreatedFrom] = "From",
        [SearchCreatedFrom + ".Hint"] = "Records created on or after this date.",
        [SearchCreatedTo] = "To",
        [SearchCreatedTo + ".Hint"] = "Records created on or before this date.",
        [AllStates] = "All",
        [ColumnRecord] = "Record",
        [ColumnOrder] = "Order",
        [ColumnKind] = "Kind",
        [ColumnState] = "State",
        [ColumnAttempts] = "Attempts",
        [ColumnInvoice] = "KashFlow invoice",
        [ColumnLastError] = "Last error",
        [ColumnUpdated] = "Updated",
        [Details] = "Details",
        [Retry] = "Retry",
        [RetryQueued] = "Record {0} is queued to be tried again.",
        [RetryAllFailed] = "Retry all failed",
        [RetryAllFailedDone] = "{0} failed records are queued to be tried again.",
        [RecordTitle] = "Sync record {0}",
        [RecordNotFound] = "There is no sync record {0}.",
        [BackToLog] = "back to the sync log",

        [PreviewTitle] = "Preview a KashFlow invoice",
        [PreviewOrder] = "Order number",
        [PreviewOrder + ".Hint"] = "The order to preview (custom order number or id). Nothing is sent to KashFlow.",
        [PreviewButton] = "Preview",
        [PreviewInvoice] = "The invoice KashFlow would get",
        [PreviewSnapshot] = "The order as the plugin sends it",
        [OrderNotFound] = "There is no order {0}.",
        [Resync] = "Resync order",
        [ResyncDone] = "Order {0} is queued for KashFlow ({1}).",
        [ResyncSpooled] = "Order {0} is spooled: {1}",
    };
}
