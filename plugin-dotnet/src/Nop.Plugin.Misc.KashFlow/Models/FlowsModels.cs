// The flows designer page's model: the document drawn, the engine's errors to draw on its boxes, and
// what the page hands its script (examples, option lists, texts — all JSON for data attributes), plus
// the dry run's report when one was asked for.
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.KashFlow.Models;

public record FlowsPageModel : BaseNopModel
{
    /// <summary>The flows document drawn (saved, or as posted when it was refused or dry-run).</summary>
    public string FlowsJson { get; set; } = FlowsPageModel.EmptyDocument;

    /// <summary>No flows are saved: the engine's default flow is in use.</summary>
    public bool DefaultFlowInUse { get; set; }

    /// <summary>The document on the page differs from the saved one (refused on save, or being dry-run).</summary>
    public bool Unsaved { get; set; }

    public IReadOnlyList<FlowError> Errors { get; set; } = [];
    public string ErrorsJson { get; set; } = "[]";
    public string ExamplesJson { get; set; } = "[]";
    public string OptionsJson { get; set; } = "{}";
    public string TextsJson { get; set; } = "{}";

    /// <summary>The merchant's name of each trigger (the dry-run table's column).</summary>
    public IReadOnlyDictionary<string, string> TriggerLabels { get; set; } = new Dictionary<string, string>();

    public int DryRunCount { get; set; } = 50;
    public DryRunReport? DryRun { get; set; }
    public string? DryRunProblem { get; set; }

    public const string EmptyDocument = "{\"Version\":1,\"Flows\":[]}";
}
