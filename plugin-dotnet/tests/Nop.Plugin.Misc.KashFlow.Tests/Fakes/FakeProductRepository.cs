// nopCommerce's product table as the product readiness page reads it (IRepository<Product>.Table), over the
// same products as FakeProductService, so a test adds a product once and both see it.
using System.Linq.Expressions;
using Nop.Core.Domain.Catalog;
using Nop.Data;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed class FakeProductRepository(FakeProductService products) : IRepository<Product>
{
    public IQueryable<Product> Table => products.Products.Values.OrderBy(p => p.Id).ToList().AsQueryable();

    public Task InsertAsync(Product entity, bool publishEvent = true)
    {
        products.Products[entity.Id] = entity;
        return Task.CompletedTask;
    }

    public Task UpdateAsync(Product entity, bool publishEvent = true)
    {
        products.Products[entity.Id] = entity;
        return Task.CompletedTask;
    }

    public Task<int> DeleteAsync(Expression<Func<Product, bool>> predicate)
    {
        var match = predicate.Compile();
        var gone = products.Products.Values.Where(match).ToList();
        foreach (var p in gone)
            products.Products.TryRemove(p.Id, out _);
        return Task.FromResult(gone.Count);
    }
}
