// Turns a nopCommerce order into the snapshot document: loads items (SKU and name from the product,
// combination SKU via FormatSkuAsync), the customer, and billing/shipping addresses with country and
// state codes. Reads only; never touches the network.
using System.Text.Json;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Orders;
using Nop.Services.Catalog;
using Nop.Services.Common;
using Nop.Services.Customers;
using Nop.Services.Directory;
using Nop.Services.Orders;

namespace Nop.Plugin.Misc.KashFlow.Services;

public interface IOrderSnapshotBuilder
{
    Task<OrderSnapshot> BuildAsync(Order order);

    Task<string> BuildJsonAsync(Order order);
}

public class OrderSnapshotBuilder : IOrderSnapshotBuilder
{
    private readonly IAddressService _addressService;
    private readonly ICountryService _countryService;
    private readonly ICustomerService _customerService;
    private readonly IOrderService _orderService;
    private readonly IProductService _productService;
    private readonly IStateProvinceService _stateProvinceService;

    public OrderSnapshotBuilder(IAddressService addressService, ICountryService countryService, ICustomerService customerService,
        IOrderService orderService, IProductService productService, IStateProvinceService stateProvinceService)
    {
        _addressService = addressService;
        _countryService = countryService;
        _customerService = customerService;
        _orderService = orderService;
        _productService = productService;
        _stateProvinceService = stateProvinceService;
    }

    public async Task<string> BuildJsonAsync(Order order) =>
        JsonSerializer.Serialize(await BuildAsync(order), SnapshotJsonContext.Default.OrderSnapshot);

    public async Task<OrderSnapshot> BuildAsync(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);

        var items = new List<OrderSnapshotItem>();
        foreach (var item in await _orderService.GetOrderItemsAsync(order.Id))
        {
            var product = await _productService.GetProductByIdAsync(item.ProductId);
            var sku = product is null ? string.Empty : await _productService.FormatSkuAsync(product, item.AttributesXml);
            items.Add(new OrderSnapshotItem
            {
                Id = item.Id,
                OrderItemGuid = item.OrderItemGuid,
                ProductId = item.ProductId,
                Sku = sku ?? string.Empty,
                ProductName = product?.Name ?? string.Empty,
                AttributeDescription = NullIfEmpty(item.AttributeDescription),
                Quantity = item.Quantity,
                UnitPriceInclTax = item.UnitPriceInclTax,
                UnitPriceExclTax = item.UnitPriceExclTax,
                PriceInclTax = item.PriceInclTax,
                PriceExclTax = item.PriceExclTax,
                DiscountAmountInclTax = item.DiscountAmountInclTax,
                DiscountAmountExclTax = item.DiscountAmountExclTax,
            });
        }

        var customer = await _customerService.GetCustomerByIdAsync(order.CustomerId);
        var billing = await _addressService.GetAddressByIdAsync(order.BillingAddressId);
        var shipping = order.ShippingAddressId is { } shippingId ? await _addressService.GetAddressByIdAsync(shippingId) : null;

        return new OrderSnapshot
        {
            Order = new OrderSnapshotOrder
            {
                Id = order.Id,
                OrderGuid = order.OrderGuid,
                CustomOrderNumber = order.CustomOrderNumber ?? string.Empty,
                StoreId = order.StoreId,
                CustomerId = order.CustomerId,
                OrderStatus = order.OrderStatus.ToString(),
                PaymentStatus = order.PaymentStatus.ToString(),
                ShippingStatus = order.ShippingStatus.ToString(),
                PaymentMethodSystemName = NullIfEmpty(order.PaymentMethodSystemName),
                CustomerCurrencyCode = NullIfEmpty(order.CustomerCurrencyCode),
                CurrencyRate = order.CurrencyRate,
                CustomerTaxDisplayType = order.CustomerTaxDisplayType.ToString(),
                VatNumber = NullIfEmpty(order.VatNumber),
                OrderSubtotalInclTax = order.OrderSubtotalInclTax,
                OrderSubtotalExclTax = order.OrderSubtotalExclTax,
                OrderSubTotalDiscountInclTax = order.OrderSubTotalDiscountInclTax,
                OrderSubTotalDiscountExclTax = order.OrderSubTotalDiscountExclTax,
                OrderShippingInclTax = order.OrderShippingInclTax,
                OrderShippingExclTax = order.OrderShippingExclTax,
                PaymentMethodAdditionalFeeInclTax = order.PaymentMethodAdditionalFeeInclTax,
                PaymentMethodAdditionalFeeExclTax = order.PaymentMethodAdditionalFeeExclTax,
                TaxRates = NullIfEmpty(order.TaxRates),
                OrderTax = order.OrderTax,
                OrderDiscount = order.OrderDiscount,
                OrderTotal = order.OrderTotal,
                RefundedAmount = order.RefundedAmount,
                ShippingMethod = NullIfEmpty(order.ShippingMethod),
                PickupInStore = order.PickupInStore,
                CreatedOnUtc = AsUtc(order.CreatedOnUtc),
                PaidDateUtc = order.PaidDateUtc is { } paid ? AsUtc(paid) : null,
            },
            Items = items,
            Customer = new OrderSnapshotCustomer
            {
                Id = order.CustomerId,
                CustomerGuid = customer?.CustomerGuid ?? Guid.Empty,
                Email = NullIfEmpty(customer?.Email),
                FirstName = NullIfEmpty(customer?.FirstName),
                LastName = NullIfEmpty(customer?.LastName),
                Company = NullIfEmpty(customer?.Company),
                VatNumber = NullIfEmpty(customer?.VatNumber),
                IsTaxExempt = customer?.IsTaxExempt ?? false,
            },
            BillingAddress = await MapAddressAsync(billing) ?? new OrderSnapshotAddress(),
            ShippingAddress = await MapAddressAsync(shipping),
        };
    }

    private async Task<OrderSnapshotAddress?> MapAddressAsync(Address? address)
    {
        if (address is null)
            return null;
        var country = address.CountryId is > 0 ? await _countryService.GetCountryByIdAsync(address.CountryId.Value) : null;
        var state = address.StateProvinceId is > 0 ? await _stateProvinceService.GetStateProvinceByIdAsync(address.StateProvinceId.Value) : null;
        return new OrderSnapshotAddress
        {
            FirstName = NullIfEmpty(address.FirstName),
            LastName = NullIfEmpty(address.LastName),
            Email = NullIfEmpty(address.Email),
            Company = NullIfEmpty(address.Company),
            Address1 = NullIfEmpty(address.Address1),
            Address2 = NullIfEmpty(address.Address2),
            City = NullIfEmpty(address.City),
            County = NullIfEmpty(address.County),
            ZipPostalCode = NullIfEmpty(address.ZipPostalCode),
            PhoneNumber = NullIfEmpty(address.PhoneNumber),
            CountryName = NullIfEmpty(country?.Name),
            CountryTwoLetterIsoCode = NullIfEmpty(country?.TwoLetterIsoCode),
            StateProvinceName = NullIfEmpty(state?.Name),
            StateProvinceAbbreviation = NullIfEmpty(state?.Abbreviation),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // nopCommerce stores UTC with Kind Unspecified when read back from the database
    private static DateTime AsUtc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
