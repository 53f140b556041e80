// In-memory nopCommerce services the flows need beyond the order's own: categories (an item's
// category names), stores (the store's name) and tax categories (a product's VAT category name).
using System.Collections.Concurrent;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Tax;
using Nop.Services.Catalog;
using Nop.Services.Stores;
using Nop.Services.Tax;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed class FakeCategoryService : ICategoryService
{
    public ConcurrentDictionary<int, Category> Categories { get; } = new();
    public ConcurrentDictionary<int, List<int>> ProductCategories { get; } = new();

    public Task<Category> GetCategoryByIdAsync(int categoryId) => Task.FromResult(Categories.GetValueOrDefault(categoryId)!);

    public Task<IList<ProductCategory>> GetProductCategoriesByProductIdAsync(int productId, bool showHidden = false) =>
        Task.FromResult<IList<ProductCategory>>(ProductCategories.GetValueOrDefault(productId)?
            .Select(c => new ProductCategory { ProductId = productId, CategoryId = c }).ToList() ?? []);

    /// <summary>Puts a product in a category (created on first use).</summary>
    public void Place(int productId, int categoryId, string name)
    {
        Categories[categoryId] = new Category { Id = categoryId, Name = name };
        ProductCategories.GetOrAdd(productId, _ => []).Add(categoryId);
    }
}

public sealed class FakeStoreService : IStoreService
{
    public ConcurrentDictionary<int, Store> Stores { get; } = new();

    public Task<Store> GetStoreByIdAsync(int storeId) => Task.FromResult(Stores.GetValueOrDefault(storeId)!);
}

public sealed class FakeTaxCategoryService : ITaxCategoryService
{
    public ConcurrentDictionary<int, TaxCategory> TaxCategories { get; } = new();

    public Task<TaxCategory> GetTaxCategoryByIdAsync(int taxCategoryId) => Task.FromResult(TaxCategories.GetValueOrDefault(taxCategoryId)!);

    public Task<IList<TaxCategory>> GetAllTaxCategoriesAsync() => Task.FromResult<IList<TaxCategory>>(TaxCategories.Values.OrderBy(c => c.Id).ToList());
}
