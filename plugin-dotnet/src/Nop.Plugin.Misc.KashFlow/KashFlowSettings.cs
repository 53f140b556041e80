// The plugin's settings (nopCommerce `Setting` rows "KashFlowSettings.*", store 0). The three
// credentials are stored encrypted with nopCommerce's IEncryptionService and never sent back to a page.
using Nop.Core.Configuration;

namespace Nop.Plugin.Misc.KashFlow;

public enum KashFlowMode
{
    /// <summary>The engine's own in-process KashFlow sandbox on 127.0.0.1: safe for trying the plugin out.</summary>
    Sandbox = 0,

    /// <summary>The real KashFlow REST v2 API.</summary>
    Live = 1
}

public class KashFlowSettings : ISettings
{
    /// <summary>Master switch: when off, order events are ignored and the engine is not running.</summary>
    public bool Enabled { get; set; }

    public KashFlowMode Mode { get; set; } = KashFlowMode.Sandbox;

    /// <summary>Live API base address; blank = the engine's default (https://api.kashflow.com/v2).</summary>
    public string? BaseUrl { get; set; }

    public string? EncryptedUserName { get; set; }
    public string? EncryptedPassword { get; set; }
    public string? EncryptedMemorableWord { get; set; }

    /// <summary>KashFlow requests per second (the engine's rate limiter).</summary>
    public int RequestsPerSecond { get; set; } = 5;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The mapping rules JSON document the engine understands (blank = engine defaults).</summary>
    public string? RulesJson { get; set; }

    // which steps of the flow are on
    public bool SyncCustomers { get; set; } = true;
    public bool CreateInvoices { get; set; } = true;
    public bool RecordPayments { get; set; } = true;
    public bool PullStock { get; set; } = true;

    /// <summary>Partial refunds wait on the record page to be itemised or posted spread over the VAT rates.</summary>
    public bool HoldPartialRefunds { get; set; }

    /// <summary>
    /// When synchronisation was last switched on (UTC); null while it is off. Stamped by
    /// KashFlowSettingsManager.SaveAsync, never by a page. A catch-up after a crash never looks at orders
    /// created before it: orders from a time sync was off are offered as a backfill, never posted silently.
    /// </summary>
    public DateTime? SyncOnSinceUtc { get; set; }

    /// <summary>
    /// The earliest moment of orders that may have been missed while sync was off (or the plugin not
    /// installed) and that the admin has not yet dealt with (Backfill page); null when there is none.
    /// </summary>
    public DateTime? BackfillFromUtc { get; set; }

    /// <summary>
    /// Several nopCommerce nodes share this store's database (a web farm): checkout documents go to a table
    /// in the store database and one node, holding the lease there, journals and syncs them. Off (one node,
    /// the default): the local journal in App_Data, as before.
    /// </summary>
    public bool WebFarm { get; set; }
}
