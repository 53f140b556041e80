namespace Nop.Core.Domain.Customers;

public partial class Customer : BaseEntity
{
    public Guid CustomerGuid { get; set; }
    public string Username { get; set; }
    public string Email { get; set; }
    public string FirstName { get; set; }
    public string LastName { get; set; }
    public string Company { get; set; }
    public string Phone { get; set; }
    public string VatNumber { get; set; }
    public bool IsTaxExempt { get; set; }
}
