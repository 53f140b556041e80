// Turns a nopCommerce order into the snapshot document: items (SKU via FormatSkuAsync so attribute
// combinations give their own SKU; name in the customer's language), the customer (guest or not), the
// billing and shipping addresses with country and state codes, gift card and reward point amounts, the
// primary store currency, and what flow conditions test: the store's name, the customer's roles and
// each item's categories. Those three only once the merchant has saved flows (or for a dry run of
// flows): a store on the default flow sends exactly the snapshot it sent before flows existed. Reads
// only; never touches the network.
using System.Text.Json;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Orders;
using Nop.Services.Catalog;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Directory;
using Nop.Services.Localization;
using Nop.Services.Orders;
using Nop.Services.Stores;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Services;

public interface IOrderSnapshotBuilder
{
    Task<OrderSnapshot> BuildAsync(Order order);

    Task<string> BuildJsonAsync(Order order);
}

public class OrderSnapshotBuilder : IOrderSnapshotBuilder
{
    private readonly IAddressService _addressService;
    private readonly ICategoryService _categoryService;
    private readonly IStoreService _storeService;
    private readonly ICountryService _countryService;
    private readonly ICurrencyService _currencyService;
    private readonly ICustomerService _customerService;
    private readonly IGiftCardService _giftCardService;
    private readonly ILocalizationService _localizationService;
    private readonly IOrderService _orderService;
    private readonly IProductService _productService;
    private readonly IRewardPointService _rewardPointService;
    private readonly ISettingService _settingService;
    private readonly IStateProvinceService _stateProvinceService;

    public OrderSnapshotBuilder(IAddressService addressService, ICountryService countryService, ICurrencyService currencyService,
        ICustomerService customerService, IGiftCardService giftCardService, ILocalizationService localizationService,
        IOrderService orderService, IProductService productService, IRewardPointService rewardPointService,
        ISettingService settingService, IStateProvinceService stateProvinceService, ICategoryService categoryService, IStoreService storeService)
    {
        _categoryService = categoryService;
        _storeService = storeService;
        _addressService = addressService;
        _countryService = countryService;
        _currencyService = currencyService;
        _customerService = customerService;
        _giftCardService = giftCardService;
        _localizationService = localizationService;
        _orderService = orderService;
        _productService = productService;
        _rewardPointService = rewardPointService;
        _settingService = settingService;
        _stateProvinceService = stateProvinceService;
    }

    public async Task<string> BuildJsonAsync(Order order) =>
        JsonSerializer.Serialize(await BuildAsync(order), SnapshotJsonContext.Default.OrderSnapshot);

    /// <summary>The snapshot with (<paramref name="flowFacts"/>) or without the facts only flow conditions read.</summary>
    public async Task<string> BuildJsonAsync(Order order, bool flowFacts) =>
        JsonSerializer.Serialize(await BuildAsync(order, flowFacts), SnapshotJsonContext.Default.OrderSnapshot);

    public async Task<OrderSnapshot> BuildAsync(Order order) =>
        await BuildAsync(order, !string.IsNullOrWhiteSpace((await _settingService.LoadSettingAsync<KashFlowSettings>()).FlowsJson));

    public async Task<OrderSnapshot> BuildAsync(Order order, bool flowFacts)
    {
        ArgumentNullException.ThrowIfNull(order);

        var items = new List<OrderSnapshotItem>();
        foreach (var item in await _orderService.GetOrderItemsAsync(order.Id))
        {
            // products are soft-deleted, so even a product deleted since the order still loads
            var product = await _productService.GetProductByIdAsync(item.ProductId);
            var sku = product is null ? null : await _productService.FormatSkuAsync(product, item.AttributesXml);
            var name = product is null ? null : await _localizationService.GetLocalizedAsync(product, p => p.Name, order.CustomerLanguageId);
            items.Add(new OrderSnapshotItem
            {
                ProductId = item.ProductId,
                Sku = NullIfEmpty(sku),
                Name = name ?? product?.Name ?? string.Empty,
                Quantity = item.Quantity,
                UnitPriceInclTax = item.UnitPriceInclTax,
                UnitPriceExclTax = item.UnitPriceExclTax,
                PriceInclTax = item.PriceInclTax,
                PriceExclTax = item.PriceExclTax,
                DiscountAmountInclTax = item.DiscountAmountInclTax,
                DiscountAmountExclTax = item.DiscountAmountExclTax,
                AttributeDescription = NullIfEmpty(item.AttributeDescription),
                Categories = flowFacts && product is not null ? await CategoriesAsync(product.Id) : null,
            });
        }

        var customer = await _customerService.GetCustomerByIdAsync(order.CustomerId);
        var billing = await _addressService.GetAddressByIdAsync(order.BillingAddressId);
        var shipping = order.ShippingAddressId is { } shippingId ? await _addressService.GetAddressByIdAsync(shippingId) : null;
        var giftCards = await _giftCardService.GetGiftCardUsageHistoryAsync(order);
        var rewardPoints = order.RedeemedRewardPointsEntryId is { } entryId and > 0
            ? await _rewardPointService.GetRewardPointsHistoryEntryByIdAsync(entryId)
            : null;
        var currencySettings = await _settingService.LoadSettingAsync<CurrencySettings>();
        var primaryCurrency = await _currencyService.GetCurrencyByIdAsync(currencySettings.PrimaryStoreCurrencyId);
        var store = flowFacts ? await _storeService.GetStoreByIdAsync(order.StoreId) : null;
        var roles = flowFacts && customer is not null ? await _customerService.GetCustomerRolesAsync(customer) : null;

        return new OrderSnapshot
        {
            Id = order.Id,
            CustomOrderNumber = order.CustomOrderNumber ?? string.Empty,
            OrderGuid = order.OrderGuid.ToString(),
            StoreId = order.StoreId,
            StoreName = NullIfEmpty(store?.Name),
            CreatedOnUtc = AsUtc(order.CreatedOnUtc),
            PrimaryStoreCurrencyCode = primaryCurrency?.CurrencyCode ?? string.Empty,
            CustomerCurrencyCode = order.CustomerCurrencyCode ?? string.Empty,
            CurrencyRate = order.CurrencyRate,
            OrderSubtotalInclTax = order.OrderSubtotalInclTax,
            OrderSubtotalExclTax = order.OrderSubtotalExclTax,
            OrderSubTotalDiscountInclTax = order.OrderSubTotalDiscountInclTax,
            OrderSubTotalDiscountExclTax = order.OrderSubTotalDiscountExclTax,
            OrderShippingInclTax = order.OrderShippingInclTax,
            OrderShippingExclTax = order.OrderShippingExclTax,
            PaymentMethodAdditionalFeeInclTax = order.PaymentMethodAdditionalFeeInclTax,
            PaymentMethodAdditionalFeeExclTax = order.PaymentMethodAdditionalFeeExclTax,
            OrderTax = order.OrderTax,
            TaxRates = order.TaxRates ?? string.Empty,
            OrderDiscount = order.OrderDiscount,
            OrderTotal = order.OrderTotal,
            RefundedAmount = order.RefundedAmount,
            PaymentMethodSystemName = order.PaymentMethodSystemName ?? string.Empty,
            OrderStatus = order.OrderStatus.ToString(),
            PaymentStatus = order.PaymentStatus.ToString(),
            PaidDateUtc = order.PaidDateUtc is { } paid ? AsUtc(paid) : null,
            VatNumber = NullIfEmpty(order.VatNumber),
            CustomerTaxDisplayType = order.CustomerTaxDisplayType.ToString(),
            ShippingMethod = NullIfEmpty(order.ShippingMethod),
            CheckoutAttributeDescription = NullIfEmpty(order.CheckoutAttributeDescription),
            Customer = new OrderSnapshotCustomer
            {
                Id = order.CustomerId,
                Email = NullIfEmpty(customer?.Email),
                FirstName = NullIfEmpty(customer?.FirstName),
                LastName = NullIfEmpty(customer?.LastName),
                Company = NullIfEmpty(customer?.Company),
                IsGuest = customer is not null && await _customerService.IsGuestAsync(customer),
            },
            CustomerRoles = NullIfNone(roles?.Select(r => r.SystemName).Where(n => !string.IsNullOrEmpty(n)).ToList()),
            BillingAddress = await MapAddressAsync(billing) ?? new OrderSnapshotAddress(),
            ShippingAddress = await MapAddressAsync(shipping),
            Items = items,
            GiftCardUsage = giftCards.Select(g => g.UsedValue).ToList(),
            RedeemedRewardPointsAmount = rewardPoints?.UsedAmount ?? 0m,
        };
    }

    private Task<OrderSnapshotAddress?> MapAddressAsync(Address? address) => MapAddressAsync(address, _countryService, _stateProvinceService);

    /// <summary>An address as every engine document carries it (the snapshot's, a CustomerChanged event's).</summary>
    internal static async Task<OrderSnapshotAddress?> MapAddressAsync(Address? address, ICountryService countryService, IStateProvinceService stateProvinceService)
    {
        if (address is null)
            return null;
        var country = address.CountryId is > 0 ? await countryService.GetCountryByIdAsync(address.CountryId.Value) : null;
        var state = address.StateProvinceId is > 0 ? await stateProvinceService.GetStateProvinceByIdAsync(address.StateProvinceId.Value) : null;
        return new OrderSnapshotAddress
        {
            FirstName = NullIfEmpty(address.FirstName),
            LastName = NullIfEmpty(address.LastName),
            Company = NullIfEmpty(address.Company),
            Email = NullIfEmpty(address.Email),
            Address1 = NullIfEmpty(address.Address1),
            Address2 = NullIfEmpty(address.Address2),
            City = NullIfEmpty(address.City),
            County = NullIfEmpty(address.County),
            StateProvinceAbbreviation = NullIfEmpty(state?.Abbreviation),
            ZipPostalCode = NullIfEmpty(address.ZipPostalCode),
            CountryTwoLetterIsoCode = NullIfEmpty(country?.TwoLetterIsoCode),
            PhoneNumber = NullIfEmpty(address.PhoneNumber),
        };
    }

    /// <summary>The names of a product's categories (nopCommerce's own names, not translated), or null when it has none.</summary>
    private async Task<IReadOnlyList<string>?> CategoriesAsync(int productId)
    {
        var names = new List<string>();
        foreach (var mapping in await _categoryService.GetProductCategoriesByProductIdAsync(productId, showHidden: true))
        {
            if (await _categoryService.GetCategoryByIdAsync(mapping.CategoryId) is { Name: { Length: > 0 } name })
                names.Add(name);
        }
        return NullIfNone(names);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IReadOnlyList<string>? NullIfNone(List<string>? values) => values is { Count: > 0 } ? values : null;

    // nopCommerce reads UTC values back from the database with Kind Unspecified
    private static DateTime AsUtc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
