// The web farm's tables in the store database (several nopCommerce nodes share it, not a disk): the
// hand-off of documents between nodes and the active-node lease (plugin README, "Web farm"). Created by
// the plugin's migration (Data/FarmSchemaMigration.cs, with the unique index on KashFlowFarmLease.Name
// the lease relies on); read and written by Services/FarmDocuments.cs and Services/FarmLease.cs.
using Nop.Core;

namespace Nop.Plugin.Misc.KashFlow.Domain;

/// <summary>A checkout or admin document handed over by any node, until the active node has it synced.</summary>
public class KashFlowFarmDocument : BaseEntity
{
    public int OrderId { get; set; }

    /// <summary>"Order" (a snapshot) or "Event" (an event document).</summary>
    public string Kind { get; set; } = "";

    public string Document { get; set; } = "";

    public DateTime CreatedOnUtc { get; set; }

    /// <summary>The node that wrote it.</summary>
    public string Node { get; set; } = "";

    /// <summary>The lease holder whose local journal took it, or null; another holder journals it again.</summary>
    public string? JournaledBy { get; set; }

    public DateTime? JournaledOnUtc { get; set; }

    /// <summary>Set once the holder's journal reports the order settled: never journalled again.</summary>
    public DateTime? SyncedOnUtc { get; set; }
}

/// <summary>The active-node lease: one row per Name (unique index), taken when expired, renewed by its holder.</summary>
public class KashFlowFarmLease : BaseEntity
{
    public string Name { get; set; } = "";

    public string Holder { get; set; } = "";

    public DateTime AcquiredOnUtc { get; set; }

    public DateTime ExpiresOnUtc { get; set; }
}
