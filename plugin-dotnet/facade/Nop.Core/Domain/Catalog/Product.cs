using Nop.Core.Domain.Localization;

namespace Nop.Core.Domain.Catalog;

public partial class Product : BaseEntity, ILocalizedEntity
{
    public string Name { get; set; }
    public string Sku { get; set; }
    public decimal Price { get; set; }
    public int TaxCategoryId { get; set; }
    public bool Published { get; set; }
    public int ManageInventoryMethodId { get; set; }
    public bool UseMultipleWarehouses { get; set; }
    public int StockQuantity { get; set; }
    public bool Deleted { get; set; }

    public ManageInventoryMethod ManageInventoryMethod
    {
        get => (ManageInventoryMethod)ManageInventoryMethodId;
        set => ManageInventoryMethodId = (int)value;
    }
}
