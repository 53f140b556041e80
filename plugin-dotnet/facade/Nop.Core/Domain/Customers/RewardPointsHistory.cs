namespace Nop.Core.Domain.Customers;

public partial class RewardPointsHistory : BaseEntity
{
    public int CustomerId { get; set; }
    public decimal UsedAmount { get; set; }
}
