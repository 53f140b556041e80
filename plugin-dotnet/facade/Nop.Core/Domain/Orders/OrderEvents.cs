namespace Nop.Core.Domain.Orders;

// One file for the five order events the plugin consumes; nopCommerce keeps one file each.

public partial class OrderPlacedEvent
{
    public OrderPlacedEvent(Order order) => Order = order;

    public Order Order { get; }
}

public partial class OrderPaidEvent
{
    public OrderPaidEvent(Order order) => Order = order;

    public Order Order { get; }
}

public partial class OrderStatusChangedEvent
{
    public OrderStatusChangedEvent(Order order, OrderStatus previousOrderStatus)
    {
        Order = order;
        PreviousOrderStatus = previousOrderStatus;
    }

    public Order Order { get; }

    public OrderStatus PreviousOrderStatus { get; set; }
}

public partial class OrderRefundedEvent
{
    public OrderRefundedEvent(Order order, decimal amount)
    {
        Order = order;
        Amount = amount;
    }

    public Order Order { get; }

    public decimal Amount { get; }
}

public partial class OrderVoidedEvent
{
    public OrderVoidedEvent(Order order) => Order = order;

    public Order Order { get; }
}
