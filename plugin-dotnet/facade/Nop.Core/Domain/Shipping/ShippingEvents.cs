namespace Nop.Core.Domain.Shipping;

// One file for the two shipment events the plugin consumes; nopCommerce keeps one file each.

public partial class ShipmentSentEvent
{
    public ShipmentSentEvent(Shipment shipment) => Shipment = shipment;

    public Shipment Shipment { get; }
}

public partial class ShipmentDeliveredEvent
{
    public ShipmentDeliveredEvent(Shipment shipment) => Shipment = shipment;

    public Shipment Shipment { get; }
}
