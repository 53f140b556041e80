using Nop.Core.Domain.Localization;

namespace Nop.Core.Domain.Catalog;

/// <summary>Only as a parameter type of IProductService.SearchProductsAsync (the plugin passes none).</summary>
public partial class SpecificationAttributeOption : BaseEntity, ILocalizedEntity
{
}
