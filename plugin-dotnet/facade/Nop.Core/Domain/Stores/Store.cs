namespace Nop.Core.Domain.Stores;

public partial class Store : BaseEntity
{
    public string Name { get; set; }
}
