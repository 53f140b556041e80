namespace Nop.Core.Domain.Directory;

public partial class Country : BaseEntity
{
    public string Name { get; set; }
    public string TwoLetterIsoCode { get; set; }
    public string ThreeLetterIsoCode { get; set; }
}
