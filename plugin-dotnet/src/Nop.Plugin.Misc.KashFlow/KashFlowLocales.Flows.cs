// The locale resources of the flows designer page (Configuration → KashFlow → Flows): the page's own
// texts, and every text its script shows (Content/flows-designer.js reads them from the page by the key
// after FlowsJsPrefix: "AddFlow", "Trigger.OrderPaid", "Field.OrderTotal", ...). Part of KashFlowLocales,
// so they are installed, updated and removed with the others.
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow;

public static partial class KashFlowLocales
{
    public const string MenuFlows = P + "Menu.Flows";
    public const string FlowsTitle = P + "Flows.Title";
    public const string FlowsExplained = P + "Flows.Explained";
    public const string FlowsDefaultInUse = P + "Flows.DefaultInUse";
    public const string FlowsCustomInUse = P + "Flows.CustomInUse";
    public const string FlowsSave = P + "Flows.Save";
    public const string FlowsSaved = P + "Flows.Saved";
    public const string FlowsSavedEngineRefused = P + "Flows.SavedEngineRefused";
    public const string FlowsNotSaved = P + "Flows.NotSaved";
    public const string FlowsEmpty = P + "Flows.Empty";
    public const string FlowsNotJson = P + "Flows.NotJson";
    public const string FlowsRefusedWithoutReason = P + "Flows.RefusedWithoutReason";
    public const string FlowsUseDefault = P + "Flows.UseDefault";
    public const string FlowsUsingDefault = P + "Flows.UsingDefault";
    public const string FlowsDiagram = P + "Flows.Diagram";
    public const string FlowsEditor = P + "Flows.Editor";
    public const string FlowsLink = P + "Flows.Link";
    public const string FlowsDryRunTitle = P + "Flows.DryRun.Title";
    public const string FlowsDryRunExplained = P + "Flows.DryRun.Explained";
    public const string FlowsDryRunCount = P + "Flows.DryRun.Count";
    public const string FlowsDryRunRun = P + "Flows.DryRun.Run";
    public const string FlowsDryRunSummary = P + "Flows.DryRun.Summary";
    public const string FlowsDryRunFailed = P + "Flows.DryRun.Failed";
    public const string FlowsDryRunOrder = P + "Flows.DryRun.Order";
    public const string FlowsDryRunTrigger = P + "Flows.DryRun.Trigger";
    public const string FlowsDryRunFlow = P + "Flows.DryRun.Flow";
    public const string FlowsDryRunNoFlow = P + "Flows.DryRun.NoFlow";
    public const string FlowsDryRunExplanation = P + "Flows.DryRun.Explanation";
    public const string FlowsDryRunSteps = P + "Flows.DryRun.Steps";
    public const string FlowsDryRunInvoiceTotal = P + "Flows.DryRun.InvoiceTotal";
    private const string ExamplePrefix = P + "Flows.Example.";
    public static readonly string FlowsExamplePrefix = ExamplePrefix;

    /// <summary>Texts the designer script shows, by its own key (the resource is FlowsJsPrefix + key).</summary>
    private const string JsPrefix = P + "Flows.Js.";
    public static readonly string FlowsJsPrefix = JsPrefix;

    /// <summary>The order statuses a flow's OrderStatus step may set (nopCommerce's, forward moves only are applied).</summary>
    public static readonly IReadOnlyList<string> FlowOrderStatuses = ["Pending", "Processing", "Complete"];

    private static Dictionary<string, string> FlowScriptTexts() => new()
    {
        ["AddFlow"] = "Add flow",
        ["LoadExample"] = "Load example…",
        ["NewFlowName"] = "New flow",
        ["NoFlows"] = "No flows yet: add one, or load an example.",
        ["NoSteps"] = "No steps: this flow does nothing.",
        ["NoConditions"] = "no conditions",
        ["Disabled"] = "off",
        ["TriggerBox"] = "when this happens",
        ["Always"] = "Every time",
        ["AlwaysHint"] = "This flow runs for every event of its trigger. Add a condition to narrow it.",
        ["Not"] = "Not",
        ["NotHint"] = "The condition inside must NOT hold. Select it to edit it, or select this box's group to remove it.",
        ["SelectBox"] = "Select a box of the diagram to edit it.",
        ["Editing"] = "Editing",
        ["Trigger"] = "Trigger",
        ["FlowName"] = "Name",
        ["FlowId"] = "Id (lower-case letters, digits and dashes)",
        ["Enabled"] = "Enabled",
        ["MoveUp"] = "Move up",
        ["MoveDown"] = "Move down",
        ["AddStep"] = "Add step",
        ["RemoveStep"] = "Remove step",
        ["RemoveFlow"] = "Remove flow",
        ["AddCondition"] = "Add condition",
        ["AddGroup"] = "Add 'any of' group",
        ["RemoveCondition"] = "Remove condition",
        ["RemoveAllConditions"] = "Remove all conditions",
        ["Negate"] = "Negate (NOT)",
        ["UnNegate"] = "Remove NOT",
        ["GroupMode"] = "Combine",
        ["Group.All"] = "All of",
        ["Group.Any"] = "Any of",
        ["Field"] = "Field",
        ["Op"] = "Test",
        ["Value"] = "Value",
        ["From"] = "From",
        ["To"] = "To",
        ["ListHint"] = "Several values separated by commas.",
        ["StepKind"] = "Step",
        ["Yes"] = "yes",
        ["No"] = "no",
        ["Bool.true"] = "Yes",
        ["Bool.false"] = "No",
        ["Trigger.OrderPlaced"] = "Order placed",
        ["Trigger.OrderPaid"] = "Order paid",
        ["Trigger.OrderShipped"] = "Order shipped",
        ["Trigger.OrderDelivered"] = "Order delivered",
        ["Trigger.OrderCompleted"] = "Order completed",
        ["Trigger.OrderRefunded"] = "Order refunded",
        ["Trigger.OrderCancelled"] = "Order cancelled",
        ["Trigger.CustomerRegistered"] = "Customer registered",
        ["Trigger.CustomerChanged"] = "Customer changed",
        ["Trigger.ProductChanged"] = "Product created or changed",
        ["Field.Store"] = "Store",
        ["Field.PaymentMethod"] = "Payment method",
        ["Field.CustomerRole"] = "Customer role",
        ["Field.BillingCountry"] = "Billing country",
        ["Field.Currency"] = "Currency",
        ["Field.HasVatNumber"] = "Has a VAT number",
        ["Field.OrderTotal"] = "Order total",
        ["Field.ProductSku"] = "Product SKU",
        ["Field.ProductCategory"] = "Product category",
        ["Op.Equals"] = "=",
        ["Op.NotEquals"] = "≠",
        ["Op.In"] = "is one of",
        ["Op.NotIn"] = "is none of",
        ["Op.AtLeast"] = "≥",
        ["Op.AtMost"] = "≤",
        ["Op.Between"] = "between",
        ["Op.Is"] = "is",
        ["Step.Customer"] = "Customer",
        ["Step.Invoice"] = "Invoice",
        ["Step.Payment"] = "Payment",
        ["Step.OrderNote"] = "Order note",
        ["Step.OrderStatus"] = "Order status",
        ["Step.Stock"] = "Stock",
        ["Step.CreditNote"] = "Credit note",
        ["Step.Product"] = "Product",
        ["Setting.Mode"] = "Customer",
        ["Setting.RollUpCode"] = "Roll-up customer code",
        ["Setting.RollUpName"] = "Roll-up customer name",
        ["Setting.Nominal"] = "Nominal code",
        ["Setting.ProjectId"] = "KashFlow project id",
        ["Setting.Status"] = "Set the order to",
        ["Setting.UpdatePrice"] = "Update the price",
        ["CustomerMode.PerCustomer"] = "Each customer their own",
        ["CustomerMode.RollUp"] = "One roll-up customer",
        ["OrderStatus.Pending"] = "Pending",
        ["OrderStatus.Processing"] = "Processing",
        ["OrderStatus.Complete"] = "Complete",
    };

    /// <summary>The designer script's keys, for the page to hand over with their texts.</summary>
    public static IReadOnlyList<string> FlowScriptKeys { get; } = FlowScriptTexts().Keys.ToList();

    private static Dictionary<string, string> WithFlowTexts(Dictionary<string, string> all)
    {
        all.Add(MenuFlows, "Flows");
        all.Add(FlowsTitle, "KashFlow flows");
        all.Add(FlowsExplained, "A flow says when something is posted to KashFlow and what: a trigger (order placed, paid, shipped, …), optional conditions (customer role, order total, country, …) and the steps to take (customer, invoice, payment, …). For each event the first enabled flow whose conditions hold runs; if none does, nothing is posted for that event. Click a box to edit it beside the diagram, then save: KashFlow Sync checks the flows before they are used.");
        all.Add(FlowsDefaultInUse, "You are using the default flow: every placed order is invoiced at once, payments are recorded when paid, refunds and cancellations become credit notes (the switches on the settings page apply). Load an example or add a flow to change it.");
        all.Add(FlowsCustomInUse, "Your own flows are in use.");
        all.Add(FlowsSave, "Save flows");
        all.Add(FlowsSaved, "The flows are saved and in use.");
        all.Add(FlowsSavedEngineRefused, "The flows were saved, but the sync engine did not accept the settings: {0}");
        all.Add(FlowsNotSaved, "The flows were not saved: {0} problem(s) are marked on the diagram.");
        all.Add(FlowsEmpty, "The flows document is empty.");
        all.Add(FlowsNotJson, "The flows document is not JSON: {0}");
        all.Add(FlowsRefusedWithoutReason, "The sync engine refused the flows without saying why.");
        all.Add(FlowsUseDefault, "Go back to the default flow");
        all.Add(FlowsUsingDefault, "The default flow is in use again.");
        all.Add(FlowsDiagram, "Flows");
        all.Add(FlowsEditor, "Selected box");
        all.Add(FlowsLink, "Decide when and what posts to KashFlow: flows");
        all.Add(FlowsDryRunTitle, "Dry run");
        all.Add(FlowsDryRunExplained, "What would the flows on this page (saved or not) have done with the store's last orders? Nothing is posted to KashFlow and nothing is recorded.");
        all.Add(FlowsDryRunCount, "Last orders");
        all.Add(FlowsDryRunRun, "Run");
        all.Add(FlowsDryRunSummary, "{0} order(s) evaluated in {1} ms.");
        all.Add(FlowsDryRunFailed, "The dry run could not be made: {0}");
        all.Add(FlowsDryRunOrder, "Order");
        all.Add(FlowsDryRunTrigger, "Trigger");
        all.Add(FlowsDryRunFlow, "Matched flow");
        all.Add(FlowsDryRunNoFlow, "none: nothing posted");
        all.Add(FlowsDryRunExplanation, "Why");
        all.Add(FlowsDryRunSteps, "Steps");
        all.Add(FlowsDryRunInvoiceTotal, "Invoice total");
        all.Add(ExamplePrefix + "every-order", "Every order (today's behaviour)");
        all.Add(ExamplePrefix + "invoice-on-paid", "Invoice when paid");
        all.Add(ExamplePrefix + "trade-on-dispatch", "Trade accounts invoiced on dispatch");
        all.Add(ExamplePrefix + "rollup-guests", "Guests rolled up into one Web sales customer");
        all.Add(ExamplePrefix + "paid-rollup-guests", "Invoice when paid, guests rolled up into one Web sales customer");
        // the engine's error of a flow's Product step (ReadablePagesTests asks for a phrase per code)
        all.Add(P + "Error.ProductNotCreated", "KashFlow did not create the product (the technical details say why). Check the product's SKU and nominal code, then Retry.");
        foreach (var (key, text) in FlowScriptTexts())
            all.Add(JsPrefix + key, text);
        return all;
    }
}
