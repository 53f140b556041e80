// The sample of every plugin view: which view, rendered with which model, written as which page.
// A view under src/Nop.Plugin.Misc.KashFlow/Views with no entry here fails ViewRenderTests
// (Every_plugin_view_has_a_sample). To add a view: one line in All, with a model built in SampleModels.
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using ViewRender.Host;

namespace ViewRender.Samples;

/// <param name="Name">The page's file name (target/screenshots/&lt;Name&gt;.png) and how failures name it.</param>
/// <param name="View">The view's file under the plugin's Views folder.</param>
public sealed record ViewSample(string Name, string View, Func<SampleStore, Task<RenderRequest>> Build);

/// <summary>What to render: a page view with its model, or the host page that shows a partial view.</summary>
public sealed record RenderRequest(string ViewPath, object Model, IDictionary<string, object> ViewData = null);

public static class ViewSamples
{
    public static IReadOnlyList<ViewSample> All { get; } =
    [
        Page("Configure", "Configure.cshtml", SampleModels.ConfigureConnectedAsync),
        Page("Configure-first-visit", "Configure.cshtml", SampleModels.ConfigureFirstVisitAsync),
        PageWith("SyncLog", "SyncLog.cshtml", SampleModels.SyncLogAsync),
        Page("RecordDetail", "RecordDetail.cshtml", SampleModels.RecordDetailAsync),
        Page("Preview", "Preview.cshtml", SampleModels.PreviewAsync),
        Page("Backfill", "Backfill.cshtml", SampleModels.BackfillAsync),
        // the other branches of the pages: nothing to list, the engine stopped, nothing asked yet
        Page("Backfill-nothing-waiting", "Backfill.cshtml", _ => Task.FromResult<object>(new BackfillList(null, null, true, [], false))),
        Page("Backfill-engine-stopped", "Backfill.cshtml", _ => Task.FromResult<object>(new BackfillList(null, null, false, [], false))),
        Page("SyncLog-engine-stopped", "SyncLog.cshtml", _ => Task.FromResult<object>(new SyncRecordSearchModel { EngineRunning = false })),
        Page("Preview-first-visit", "Preview.cshtml", _ => Task.FromResult<object>(new PreviewModel())),
        Page("Configure-sandbox", "Configure.cshtml", SampleModels.SandboxConfigureAsync),
        PageWith("SyncLog-sandbox", "SyncLog.cshtml", SampleModels.SandboxSyncLogAsync),
        Page("RecordDetail-sandbox", "RecordDetail.cshtml", SampleModels.SandboxRecordDetailAsync),
        Page("RecordDetail-sandbox-refused", "RecordDetail.cshtml", SampleModels.SandboxRefusedRecordAsync),
        Page("Preview-sandbox", "Preview.cshtml", SampleModels.SandboxPreviewAsync),
        Page("Products", "Products.cshtml", SetupSamples.ProductsAsync),
        Page("Products-lists-not-read", "Products.cshtml", SetupSamples.ProductsNotReadAsync),
        Page("Setup-1-connect", "Setup.cshtml", SetupSamples.WizardStep(1)),
        Page("Setup-2-tested", "Setup.cshtml", SetupSamples.WizardTestedAsync),
        Page("Setup-3-payments", "Setup.cshtml", SetupSamples.WizardConnectedStep(3)),
        Page("Setup-4-nominals", "Setup.cshtml", SetupSamples.WizardConnectedStep(4)),
        Page("Setup-5-products", "Setup.cshtml", SetupSamples.WizardConnectedStep(5)),
        Page("Setup-6-what", "Setup.cshtml", SetupSamples.WizardStep(6)),
        Page("Setup-7-preview", "Setup.cshtml", SetupSamples.WizardStep(7)),
        Page("Setup-8-switch-on", "Setup.cshtml", SetupSamples.WizardStep(8)),
        Page("Flows", "Flows.cshtml", FlowsSamples.DefaultAsync),
        Partial("OrderBlock", "OrderBlock.cshtml", "Order #100231 (the KashFlow block on the order page)", false, SampleModels.OrderBlockAsync),
        Partial("_Invoice", "_Invoice.cshtml", "The invoice view (partial)", true, async s => (await SampleModels.RecordDetailModelAsync(s)).Invoice),
        Partial("_CreditNotes", "_CreditNotes.cshtml", "Credit notes (partial)", false, async s => await SampleModels.RecordDetailModelAsync(s)),
        Partial("_Problem", "_Problem.cshtml", "A problem (partial)", true, async s => (await SampleModels.RecordDetailModelAsync(s)).Problem),
    ];

    /// <summary>The samples whose screenshots are kept in docs/screenshots/ (update-screenshots.sh writes them).</summary>
    public static IReadOnlySet<string> Documented { get; } = new HashSet<string>(["Configure", "SyncLog", "RecordDetail", "Preview", "OrderBlock", "Products", "Setup-1-connect", "Setup-3-payments"]);

    /// <summary>A page view whose request carries more than the model (a grid's rows).</summary>
    public static ViewSample PageWith(string name, string view, Func<SampleStore, Task<RenderRequest>> build) => new(name, view, build);

    /// <summary>A page view: rendered as its controller renders it, with its own layout.</summary>
    public static ViewSample Page(string name, string view, Func<SampleStore, Task<object>> model) =>
        new(name, view, async store => new RenderRequest(ViewHost.PluginViews + view, await model(store)));

    /// <summary>A partial view: rendered as a partial inside an admin page (optionally in a card).</summary>
    public static ViewSample Partial(string name, string view, string title, bool inCard, Func<SampleStore, Task<object>> model) =>
        new(name, view, async store => new RenderRequest("~/Views/Shared/_PartialHost.cshtml",
            new PartialSample(ViewHost.PluginViews + view, await model(store), title, inCard)));
}
