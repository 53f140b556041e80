namespace Nop.Core.Domain.Catalog;

public partial class ProductCategory : BaseEntity
{
    public int ProductId { get; set; }
    public int CategoryId { get; set; }
}
