using Nop.Core.Domain.Catalog;

namespace Nop.Services.Catalog;

public partial interface IProductService
{
    Task<Product> GetProductByIdAsync(int productId);

    Task<Product> GetProductBySkuAsync(string sku);

    Task<string> FormatSkuAsync(Product product, string attributesXml = null);

    Task AdjustInventoryAsync(Product product, int quantityToChange, string attributesXml = "", string message = "");
}
