// KashFlowEngineHost, the engine's log: lines the native engine reports (on its own threads) wait in a
// bounded queue until OutcomePollingService writes them to nopCommerce's log.
using Nop.Plugin.Misc.KashFlow.Native;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed partial class KashFlowEngineHost
{
    private void OnEngineLog(EngineLogEntry entry)
    {
        if (_logEntries.Count >= MaxQueuedLogEntries)
            return;
        _logEntries.Enqueue(entry with { Message = entry.Message });
    }

    public bool TryDequeueLog(out EngineLogEntry entry)
    {
        if (_logEntries.TryDequeue(out var e))
        {
            entry = e;
            return true;
        }
        entry = null!;
        return false;
    }
}
