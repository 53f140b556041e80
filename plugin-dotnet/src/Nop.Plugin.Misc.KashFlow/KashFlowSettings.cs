// The plugin's settings (nopCommerce `Setting` rows "KashFlowSettings.*", store 0). The three
// credentials are stored encrypted with nopCommerce's IEncryptionService and never sent back to a page.
using Nop.Core.Configuration;

namespace Nop.Plugin.Misc.KashFlow;

public enum KashFlowMode
{
    /// <summary>The engine's own in-process KashFlow sandbox on 127.0.0.1: safe for trying the plugin out.</summary>
    Sandbox = 0,

    /// <summary>The real KashFlow account (through the transport chosen).</summary>
    Live = 1
}

/// <summary>Which KashFlow API the engine speaks (core::kashflow::transport::TransportKind).</summary>
public enum KashFlowTransport
{
    /// <summary>KashFlow's SOAP API: user name and the API password (KashFlow → Settings → API settings). The default.</summary>
    Soap = 0,

    /// <summary>KashFlow REST v2: user name, password and memorable word (KashFlow: "not ready for public use").</summary>
    Rest = 1
}

public class KashFlowSettings : ISettings
{
    /// <summary>Master switch: when off, order events are ignored and the engine is not running.</summary>
    public bool Enabled { get; set; }

    public KashFlowMode Mode { get; set; } = KashFlowMode.Sandbox;

    /// <summary>
    /// Soap or Rest. Null (no row) only in a store whose settings were saved before the transport could be
    /// chosen: those spoke REST, and <see cref="EffectiveTransport"/> keeps them on it (UpdateAsync also pins it).
    /// </summary>
    public KashFlowTransport? Transport { get; set; }

    /// <summary>REST v2 base address; blank = the engine's default (https://api.kashflow.com/v2).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>SOAP service address; blank = KashFlow's (https://securedwebapp.com/api/service.asmx), or the sandbox's.</summary>
    public string? SoapUrl { get; set; }

    public string? EncryptedUserName { get; set; }
    public string? EncryptedPassword { get; set; }
    public string? EncryptedMemorableWord { get; set; }

    /// <summary>KashFlow requests per second (the engine's rate limiter).</summary>
    public int RequestsPerSecond { get; set; } = 5;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>The mapping rules JSON document the engine understands (blank = engine defaults).</summary>
    public string? RulesJson { get; set; }

    /// <summary>
    /// The flows document the designer page saved (when and what posts; validated by the engine before it is
    /// stored). Blank = the merchant never edited flows: the engine's default flow, today's behaviour.
    /// </summary>
    public string? FlowsJson { get; set; }

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

    /// <summary>The setup wizard's step to resume at (1..8); 0 before it was opened.</summary>
    public int SetupStep { get; set; }

    /// <summary>The wizard's steps done so far, comma-separated ("1,2,3").</summary>
    public string? SetupDoneSteps { get; set; }

    /// <summary>The wizard's last step (switch on) is done: Configure stops offering "Continue setup".</summary>
    public bool SetupFinished { get; set; }

    /// <summary>
    /// The transport in force: the one chosen, else (settings from before the choice existed) REST when a
    /// KashFlow login was saved, since that is what such a store has been using, and SOAP for a fresh one.
    /// A saved REST configuration never switches by itself.
    /// </summary>
    public KashFlowTransport EffectiveTransport => Transport ?? (HasSavedLogin ? KashFlowTransport.Rest : KashFlowTransport.Soap);

    /// <summary>Which KashFlow account (and API) these settings talk to: when it changes, lists read from the old one no longer apply.</summary>
    public string AccountIdentity => string.Join("|", Mode, EffectiveTransport, BaseUrl, SoapUrl, EncryptedUserName);

    private bool HasSavedLogin =>
        !string.IsNullOrEmpty(EncryptedUserName) || !string.IsNullOrEmpty(EncryptedPassword) || !string.IsNullOrEmpty(EncryptedMemorableWord);
}
