namespace Nop.Core.Domain.Directory;

public partial class StateProvince : BaseEntity
{
    public string Abbreviation { get; set; }
}
