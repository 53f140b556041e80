// Where the host keeps its files in a store: App_Data/KashFlow with the journal, the spool and the
// hand-off marker (names in KashFlowDefaults).
namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed class KashFlowEnginePaths
{
    public KashFlowEnginePaths(string dataDirectory)
    {
        DataDirectory = dataDirectory;
    }

    /// <summary>App_Data/KashFlow in a store.</summary>
    public string DataDirectory { get; }

    public string JournalPath => Path.Combine(DataDirectory, KashFlowDefaults.JournalFileName);

    public string SpoolDirectory => Path.Combine(DataDirectory, KashFlowDefaults.SpoolDirectoryName);

    public string HandOffMarkerPath => Path.Combine(DataDirectory, KashFlowDefaults.HandOffMarkerFileName);
}
