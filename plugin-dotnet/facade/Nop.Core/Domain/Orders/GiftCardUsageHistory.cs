namespace Nop.Core.Domain.Orders;

public partial class GiftCardUsageHistory : BaseEntity
{
    public int UsedWithOrderId { get; set; }
    public decimal UsedValue { get; set; }
}
