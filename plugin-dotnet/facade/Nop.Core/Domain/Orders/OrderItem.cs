namespace Nop.Core.Domain.Orders;

public partial class OrderItem : BaseEntity
{
    public int OrderId { get; set; }
    public int ProductId { get; set; }
    public int Quantity { get; set; }
    public decimal UnitPriceInclTax { get; set; }
    public decimal UnitPriceExclTax { get; set; }
    public decimal PriceInclTax { get; set; }
    public decimal PriceExclTax { get; set; }
    public decimal DiscountAmountInclTax { get; set; }
    public decimal DiscountAmountExclTax { get; set; }
    public string AttributeDescription { get; set; }
    public string AttributesXml { get; set; }
}
