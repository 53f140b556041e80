namespace Nop.Core.Domain.Customers;

public partial class CustomerRegisteredEvent
{
    public CustomerRegisteredEvent(Customer customer) => Customer = customer;

    public Customer Customer { get; }
}
