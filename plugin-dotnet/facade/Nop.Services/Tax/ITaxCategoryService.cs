using Nop.Core.Domain.Tax;

namespace Nop.Services.Tax;

public partial interface ITaxCategoryService
{
    Task<IList<TaxCategory>> GetAllTaxCategoriesAsync();

    Task<TaxCategory> GetTaxCategoryByIdAsync(int taxCategoryId);
}
