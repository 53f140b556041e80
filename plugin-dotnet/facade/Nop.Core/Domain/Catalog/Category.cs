namespace Nop.Core.Domain.Catalog;

public partial class Category : BaseEntity
{
    public string Name { get; set; }
}
