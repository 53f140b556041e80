namespace Nop.Core.Domain.Directory;

public partial class Currency : BaseEntity
{
    public string CurrencyCode { get; set; }
}
