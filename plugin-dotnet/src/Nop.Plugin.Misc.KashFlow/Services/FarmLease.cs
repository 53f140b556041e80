// The web farm's active-node lease, in the store database through nopCommerce's IRepository<T> (linq2db,
// so SQL Server, MySQL and PostgreSQL alike). The host's farm part (KashFlowEngineHost.Farm.cs) takes and
// renews it from the poller's loop and releases it on a clean stop.
// Why not linq2db's conditional UPDATE: the zip is compiled against a facade, and linq2db's assembly
// version differs between nopCommerce 4.90.3 (5.4.1) and the packages served here (6.5.1), so the
// plugin uses only IRepository<T>, whose single statements are atomic:
// - look: a live lease of another node is left alone without writing (nodes look every second);
// - take: DELETE the row when expired (a conditional delete), then INSERT ours; the unique index on
//   Name makes a second taker's insert fail, so at most one row, one holder;
// - renew: UPDATE our row (by Id) and read it back: gone (taken over after it expired) means lost;
// - release: DELETE our row.
using Nop.Data;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public sealed class FarmLease
{
    public const string ActiveNode = "active-sync-node";

    /// <summary>How long a lease lasts unless renewed (the default); renewed every third of it.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);

    private readonly IRepository<KashFlowFarmLease> _leases;
    private readonly TimeProvider _time;

    public FarmLease(IRepository<KashFlowFarmLease> leases, string node, TimeProvider? time = null, TimeSpan? expiry = null)
    {
        _leases = leases;
        Node = node;
        _time = time ?? TimeProvider.System;
        Lasts = expiry ?? Expiry;
    }

    public string Node { get; }

    /// <summary>This lease's expiry: a holder that stops renewing is taken over this long after its last renewal.</summary>
    public TimeSpan Lasts { get; }

    /// <summary>The lease row (holder, since when, until when), or null when nobody holds it.</summary>
    public KashFlowFarmLease? Current() => _leases.Table.FirstOrDefault(l => l.Name == ActiveNode);

    /// <summary>Takes the lease if it is free or expired, renews it if ours. True while this node holds it.</summary>
    public async Task<bool> TryHoldAsync()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var current = _leases.Table.FirstOrDefault(l => l.Name == ActiveNode);
        if (current is not null && current.Holder == Node)
        {
            current.ExpiresOnUtc = now + Lasts;
            await _leases.UpdateAsync(current, false);
            var id = current.Id;
            // read back: taken over meanwhile (our row expired and was deleted) means lost
            return _leases.Table.Any(l => l.Id == id && l.Holder == Node);
        }
        if (current is not null && current.ExpiresOnUtc >= now)
            return false; // another node's live lease: nothing to write
        await _leases.DeleteAsync(l => l.Name == ActiveNode && l.ExpiresOnUtc < now);
        try
        {
            await _leases.InsertAsync(new KashFlowFarmLease { Name = ActiveNode, Holder = Node, AcquiredOnUtc = now, ExpiresOnUtc = now + Lasts }, false);
        }
        catch (Exception)
        {
            return false; // the unique index: someone else took it first
        }
        // belt and braces where the index is missing: the oldest row wins, a later one withdraws
        var winner = _leases.Table.Where(l => l.Name == ActiveNode).OrderBy(l => l.Id).First();
        if (winner.Holder == Node)
            return true;
        await _leases.DeleteAsync(l => l.Name == ActiveNode && l.Holder == Node);
        return false;
    }

    /// <summary>A clean stop: another node takes over at its next look instead of waiting for expiry.</summary>
    public Task ReleaseAsync() => _leases.DeleteAsync(l => l.Name == ActiveNode && l.Holder == Node);
}
