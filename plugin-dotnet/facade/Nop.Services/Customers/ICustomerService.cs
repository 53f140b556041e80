using Nop.Core.Domain.Customers;

namespace Nop.Services.Customers;

public partial interface ICustomerService
{
    Task<Customer> GetCustomerByIdAsync(int customerId);

    Task<bool> IsGuestAsync(Customer customer, bool onlyActiveCustomerRoles = true);

    Task<IList<CustomerRole>> GetCustomerRolesAsync(Customer customer, bool showHidden = false);
}
