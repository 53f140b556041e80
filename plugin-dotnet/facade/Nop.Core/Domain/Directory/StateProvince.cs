namespace Nop.Core.Domain.Directory;

public partial class StateProvince : BaseEntity
{
    public int CountryId { get; set; }
    public string Name { get; set; }
    public string Abbreviation { get; set; }
}
