// The names of the engine's enums that C# relies on, each list a copy of one Rust enum (the file and enum
// are named beside it). EngineNamesTests reads those Rust enums from core/src and fails when a variant is
// added, renamed or removed there without this file following, and asks the real engine to accept every
// name here. Values the engine sends are still read as strings: one this plugin does not know yet is shown
// as it comes, never a crash.
namespace Nop.Plugin.Misc.KashFlow.Domain;

public static class EngineNames
{
    /// <summary>core/src/engine/model.rs RecordState: what the shop admin sees for an order (the sync log's filter).</summary>
    public static readonly IReadOnlyList<string> RecordStates = ["Pending", "InFlight", "Retrying", "Synced", "Failed", "Cancelled"];

    public const string RecordCancelled = "Cancelled";

    /// <summary>core/src/engine/model.rs JobState: a credit note's job state.</summary>
    public static readonly IReadOnlyList<string> JobStates = ["Queued", "Waiting", "Leased", "Done", JobDead, "Cancelled", JobHeld];

    public const string JobDead = "Dead";
    public const string JobHeld = "Held";

    /// <summary>core/src/engine/model.rs ReceiptState: what an enqueue did.</summary>
    public static readonly IReadOnlyList<string> ReceiptStates = ["Pending", "Failed", "Unchanged", "Replaced", "Cancelled", "Accepted"];

    public const string ReceiptFailed = "Failed";

    /// <summary>core/src/engine/model.rs OutcomeKind: what OutcomeApplier applies.</summary>
    public static readonly IReadOnlyList<string> OutcomeKinds = [SetOrderStatus, AddOrderNote, SetStock];

    public const string SetOrderStatus = "SetOrderStatus";
    public const string AddOrderNote = "AddOrderNote";
    public const string SetStock = "SetStock";

    /// <summary>core/src/engine/events.rs CreditCause: why a credit note is posted.</summary>
    public static readonly IReadOnlyList<string> CreditCauses = [CauseRefund, CauseCancellation, CauseVoid];

    public const string CauseRefund = "Refund";
    public const string CauseCancellation = "Cancellation";
    public const string CauseVoid = "Void";

    /// <summary>core/src/engine/events.rs OrderEvent (its kind_name): the event documents' Kind.</summary>
    public static readonly IReadOnlyList<string> EventKinds = [OrderPaid, OrderCancelled, OrderVoided, OrderRefunded, CreditNoteRelease, OrderShipped, OrderDelivered, OrderCompleted];

    public const string OrderPaid = "OrderPaid";
    public const string OrderCancelled = "OrderCancelled";
    public const string OrderVoided = "OrderVoided";
    public const string OrderRefunded = "OrderRefunded";
    public const string CreditNoteRelease = "CreditNoteRelease";
    // Flow triggers (issue 20): the engine records them; an invoice a flow posts on dispatch waits for them.
    public const string OrderShipped = "OrderShipped";
    public const string OrderDelivered = "OrderDelivered";
    public const string OrderCompleted = "OrderCompleted";

    /// <summary>core/src/engine/breaker.rs CircuitState: StatusCounts.Circuit.</summary>
    public static readonly IReadOnlyList<string> CircuitStates = [CircuitClosed, CircuitOpen, CircuitHalfOpen];

    public const string CircuitClosed = "Closed";
    public const string CircuitOpen = "Open";
    public const string CircuitHalfOpen = "HalfOpen";

    /// <summary>core/src/engine/error.rs EngineError (its code()): the Code of an error document.</summary>
    public static readonly IReadOnlyList<string> ErrorCodes =
    [
        "InvalidDocument", "UnsupportedSchemaVersion", ErrorNotFound, "Journal", "InvalidConfig", "InvalidRequest",
        "KashFlow", "Mapping", "NotAvailable", "ShuttingDown",
    ];

    public const string ErrorInvalidDocument = "InvalidDocument";
    public const string ErrorNotFound = "NotFound";

    /// <summary>core/src/engine/config.rs KashFlowMode (the plugin's KashFlowMode enum names these).</summary>
    public static readonly IReadOnlyList<string> KashFlowModes = Enum.GetNames<KashFlowMode>();

    /// <summary>core/src/kashflow/transport.rs TransportKind (the plugin's KashFlowTransport enum names these).</summary>
    public static readonly IReadOnlyList<string> Transports = Enum.GetNames<KashFlowTransport>();

    /// <summary>core/src/mapping/rules.rs RewardPointsPolicy.</summary>
    public static readonly IReadOnlyList<string> RewardPointsPolicies = ["Discount", "PaymentFromAccount"];

    /// <summary>core/src/mapping/rules.rs GiftCardPolicy.</summary>
    public static readonly IReadOnlyList<string> GiftCardPolicies = ["Payment", "NegativeLine"];

    /// <summary>core/src/mapping/rules.rs SkuLessItemPolicy.</summary>
    public static readonly IReadOnlyList<string> SkuLessItemPolicies = ["DescriptionLine", "Refuse"];

    /// <summary>core/src/mapping/rules.rs InvoiceNumberStrategy.</summary>
    public static readonly IReadOnlyList<string> InvoiceNumberStrategies = [OrderIdPlusOffset, KashFlowAssigns];

    public const string OrderIdPlusOffset = "OrderIdPlusOffset";
    public const string KashFlowAssigns = "KashFlowAssigns";

    /// <summary>core/src/mapping/rules.rs CustomerCodeStrategy.</summary>
    public static readonly IReadOnlyList<string> CustomerCodeStrategies = ["FromCustomerId", "FromEmail"];
}
