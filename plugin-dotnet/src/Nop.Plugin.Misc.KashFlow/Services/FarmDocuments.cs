// The web farm's hand-off table (KashFlowFarmDocument) and its catch-up marker: every read and write of
// them, through nopCommerce's IRepository<T>. Any node writes a row per document (checkout, admin);
// the active node journals rows and marks them (KashFlowEngineHost.Farm.cs decides when).
// The marker of the farm-wide catch-up lives in the lease table, as a row of its own name: the store
// database is the one place all nodes share, and the table already has the unique Name.
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public static class FarmDocuments
{
    /// <summary>The lease table's row whose AcquiredOnUtc is how far the farm-wide catch-up has looked.</summary>
    public const string CatchUpMarker = "catch-up-swept";

    public static Task WriteAsync(IRepository<KashFlowFarmDocument> documents, string node, SpoolKind kind, int orderId, string document, DateTime nowUtc) =>
        documents.InsertAsync(new KashFlowFarmDocument
        {
            OrderId = orderId,
            Kind = kind == SpoolKind.Order ? "Order" : "Event",
            Document = document,
            CreatedOnUtc = nowUtc,
            Node = node,
        }, false);

    public static SpoolKind KindOf(KashFlowFarmDocument row) => row.Kind == "Order" ? SpoolKind.Order : SpoolKind.Event;

    /// <summary>Rows not yet synced that <paramref name="node"/>'s journal does not have (new, or another holder's), oldest first.</summary>
    public static List<KashFlowFarmDocument> NotJournaledBy(IRepository<KashFlowFarmDocument> documents, string node, int max) =>
        documents.Table.Where(d => d.SyncedOnUtc == null && (d.JournaledBy == null || d.JournaledBy != node))
            .OrderBy(d => d.Id).Take(max).ToList();

    /// <summary>Every row of an order, oldest first: its whole history, for a journal that does not know the order.</summary>
    public static List<KashFlowFarmDocument> History(IRepository<KashFlowFarmDocument> documents, int orderId) =>
        documents.Table.Where(d => d.OrderId == orderId).OrderBy(d => d.Id).ToList();

    /// <summary>Rows <paramref name="node"/> journalled and not yet marked synced.</summary>
    public static List<KashFlowFarmDocument> JournaledNotSynced(IRepository<KashFlowFarmDocument> documents, string node, int max) =>
        documents.Table.Where(d => d.SyncedOnUtc == null && d.JournaledBy == node).OrderBy(d => d.Id).Take(max).ToList();

    /// <summary>Of <paramref name="orderIds"/>, those with at least one row (the farm has them).</summary>
    public static HashSet<int> OrdersWithRows(IRepository<KashFlowFarmDocument> documents, IReadOnlyCollection<int> orderIds) =>
        documents.Table.Where(d => orderIds.Contains(d.OrderId)).Select(d => d.OrderId).Distinct().ToHashSet();

    public static async Task MarkJournaledAsync(IRepository<KashFlowFarmDocument> documents, KashFlowFarmDocument row, string node, DateTime nowUtc)
    {
        row.JournaledBy = node;
        row.JournaledOnUtc = nowUtc;
        await documents.UpdateAsync(row, false);
    }

    public static async Task MarkSyncedAsync(IRepository<KashFlowFarmDocument> documents, KashFlowFarmDocument row, DateTime nowUtc)
    {
        row.SyncedOnUtc = nowUtc;
        await documents.UpdateAsync(row, false);
    }

    /// <summary>How far the farm-wide catch-up has looked, or null before its first run.</summary>
    public static DateTime? SweptUpTo(IRepository<KashFlowFarmLease> leases) =>
        leases.Table.FirstOrDefault(l => l.Name == CatchUpMarker) is { } row ? DateTime.SpecifyKind(row.AcquiredOnUtc, DateTimeKind.Utc) : null;

    public static async Task SetSweptUpToAsync(IRepository<KashFlowFarmLease> leases, string node, DateTime upToUtc)
    {
        var row = leases.Table.FirstOrDefault(l => l.Name == CatchUpMarker);
        if (row is null)
        {
            // the unique index refuses a second first run: the one that lost just looks again next time
            await leases.InsertAsync(new KashFlowFarmLease { Name = CatchUpMarker, Holder = node, AcquiredOnUtc = upToUtc, ExpiresOnUtc = new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc) }, false);
            return;
        }
        row.Holder = node;
        row.AcquiredOnUtc = upToUtc;
        await leases.UpdateAsync(row, false);
    }
}
