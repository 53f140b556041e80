namespace Nop.Core.Domain.Customers;

public partial class Customer : BaseEntity
{
    public string Email { get; set; }
    public string FirstName { get; set; }
    public string LastName { get; set; }
    public string Company { get; set; }
    public string VatNumber { get; set; }
    public int? BillingAddressId { get; set; }
}
