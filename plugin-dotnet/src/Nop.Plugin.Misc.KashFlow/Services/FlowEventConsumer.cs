// nopCommerce events → the event documents of the flow triggers the plugin adds (issue 20): a shipment
// sent or delivered (OrderShipped / OrderDelivered), an order set to Complete (OrderCompleted), a
// customer registered or changed (CustomerChanged), a product created or changed (ProductChanged).
// Each is sent only while some enabled flow listens for its trigger (the saved flows document; the
// default flow listens to none of them), so a store that never edits flows sends exactly what it sent
// before. Like OrderEventConsumer they run inside the admin's or the customer's request: they go
// through the checkout hand-off (no waiting on the disk), never throw, and log what fails.
// nopCommerce updates a customer on every visit and a product on every stock change: a customer or
// product document is sent only when it differs from the last one sent for it (FlowEventMemory).
using System.Collections.Concurrent;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Shipping;
using Nop.Core.Events;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Services.Common;
using Nop.Services.Customers;
using Nop.Services.Directory;
using Nop.Services.Events;
using Nop.Services.Logging;
using Nop.Services.Orders;
using Nop.Services.Tax;

namespace Nop.Plugin.Misc.KashFlow.Services;

public class FlowEventConsumer :
    IConsumer<ShipmentSentEvent>,
    IConsumer<ShipmentDeliveredEvent>,
    IConsumer<OrderStatusChangedEvent>,
    IConsumer<CustomerRegisteredEvent>,
    IConsumer<EntityUpdatedEvent<Customer>>,
    IConsumer<EntityInsertedEvent<Product>>,
    IConsumer<EntityUpdatedEvent<Product>>
{
    /// <summary>nopCommerce's system name of the role every registered customer has.</summary>
    public const string RegisteredRole = "Registered";

    private readonly IAddressService _addressService;
    private readonly ICountryService _countryService;
    private readonly ICustomerService _customerService;
    private readonly IKashFlowEngineHost _host;
    private readonly ILogger _logger;
    private readonly FlowEventMemory _memory;
    private readonly IOrderService _orderService;
    private readonly KashFlowSettingsManager _settingsManager;
    private readonly IStateProvinceService _stateProvinceService;
    private readonly ITaxCategoryService _taxCategoryService;
    private readonly TimeProvider _time;

    public FlowEventConsumer(IAddressService addressService, ICountryService countryService, ICustomerService customerService, IKashFlowEngineHost host,
        ILogger logger, FlowEventMemory memory, IOrderService orderService, KashFlowSettingsManager settingsManager,
        IStateProvinceService stateProvinceService, ITaxCategoryService taxCategoryService, TimeProvider time)
    {
        _addressService = addressService;
        _countryService = countryService;
        _customerService = customerService;
        _host = host;
        _logger = logger;
        _memory = memory;
        _orderService = orderService;
        _settingsManager = settingsManager;
        _stateProvinceService = stateProvinceService;
        _taxCategoryService = taxCategoryService;
        _time = time;
    }

    public Task HandleEventAsync(ShipmentSentEvent eventMessage) =>
        ShipmentAsync(eventMessage?.Shipment, FlowNames.OrderShipped, s => s.ShippedDateUtc);

    public Task HandleEventAsync(ShipmentDeliveredEvent eventMessage) =>
        ShipmentAsync(eventMessage?.Shipment, FlowNames.OrderDelivered, s => s.DeliveryDateUtc);

    public async Task HandleEventAsync(OrderStatusChangedEvent eventMessage)
    {
        var order = eventMessage?.Order;
        if (order is null || order.OrderStatus != OrderStatus.Complete || eventMessage!.PreviousOrderStatus == OrderStatus.Complete)
            return;
        await GuardAsync($"the completion of order {order.Id}", async () =>
        {
            if (!(await ListeningAsync()).Contains(FlowNames.OrderCompleted))
                return;
            var json = new OrderLifecycleDocument(FlowNames.OrderCompleted, order.Id, _time.GetUtcNow().UtcDateTime).ToJson();
            await ReportAsync($"the completion of order {order.Id}", _host.HandOffEvent(order.Id, order.CreatedOnUtc, json));
        });
    }

    public Task HandleEventAsync(CustomerRegisteredEvent eventMessage) => CustomerAsync(eventMessage?.Customer, registered: true);

    public Task HandleEventAsync(EntityUpdatedEvent<Customer> eventMessage) => CustomerAsync(eventMessage?.Entity, registered: false);

    public Task HandleEventAsync(EntityInsertedEvent<Product> eventMessage) => ProductAsync(eventMessage?.Entity);

    public Task HandleEventAsync(EntityUpdatedEvent<Product> eventMessage) => ProductAsync(eventMessage?.Entity);

    private async Task ShipmentAsync(Shipment? shipment, string kind, Func<Shipment, DateTime?> when)
    {
        if (shipment is null)
            return;
        await GuardAsync($"the {kind} event of order {shipment.OrderId}", async () =>
        {
            if (!(await ListeningAsync()).Contains(kind))
                return;
            var order = await _orderService.GetOrderByIdAsync(shipment.OrderId);
            if (order is null)
                return;
            var json = new OrderLifecycleDocument(kind, order.Id, when(shipment) ?? _time.GetUtcNow().UtcDateTime).ToJson();
            await ReportAsync($"the {kind} event of order {order.Id}", _host.HandOffEvent(order.Id, order.CreatedOnUtc, json));
        });
    }

    private async Task CustomerAsync(Customer? customer, bool registered)
    {
        if (customer is null)
            return;
        await GuardAsync($"the change of customer {customer.Id}", async () =>
        {
            var listening = await ListeningAsync();
            if (!listening.Contains(FlowNames.CustomerChanged) && !(registered && listening.Contains(FlowNames.CustomerRegistered)))
                return;
            var roles = (await _customerService.GetCustomerRolesAsync(customer)).Select(r => r.SystemName).Where(n => !string.IsNullOrEmpty(n)).ToList();
            // guests (every visitor is one) are no KashFlow customers until they order
            if (!roles.Contains(RegisteredRole, StringComparer.OrdinalIgnoreCase) || string.IsNullOrEmpty(customer.Email))
                return;
            var billing = customer.BillingAddressId is { } addressId ? await _addressService.GetAddressByIdAsync(addressId) : null;
            var json = new CustomerChangedDocument(registered, new FlowCustomer
            {
                CustomerId = customer.Id,
                Email = customer.Email,
                FirstName = NullIfEmpty(customer.FirstName),
                LastName = NullIfEmpty(customer.LastName),
                Company = NullIfEmpty(customer.Company),
                VatNumber = NullIfEmpty(customer.VatNumber),
                BillingAddress = await OrderSnapshotBuilder.MapAddressAsync(billing, _countryService, _stateProvinceService),
                Roles = roles,
            }).ToJson();
            // the document without Registered: a registration and the update nopCommerce makes with it are one change
            if (!_memory.IsNew("customer:" + customer.Id, json.Replace("\"Registered\":true", "\"Registered\":false", StringComparison.Ordinal)))
                return;
            await ReportAsync($"the change of customer {customer.Id}", _host.HandOffEvent(0, _time.GetUtcNow().UtcDateTime, json));
        });
    }

    private async Task ProductAsync(Product? product)
    {
        // a product without a SKU has no KashFlow product code: nothing to create or update
        if (product is null || string.IsNullOrWhiteSpace(product.Sku))
            return;
        await GuardAsync($"the change of product {product.Id}", async () =>
        {
            if (!(await ListeningAsync()).Contains(FlowNames.ProductChanged))
                return;
            var taxCategory = product.TaxCategoryId > 0 ? await _taxCategoryService.GetTaxCategoryByIdAsync(product.TaxCategoryId) : null;
            var json = new ProductChangedDocument(new FlowProduct
            {
                ProductId = product.Id,
                Sku = NullIfEmpty(product.Sku),
                Name = product.Name ?? string.Empty,
                Price = product.Price,
                TaxCategoryName = NullIfEmpty(taxCategory?.Name),
                Published = product.Published,
            }).ToJson();
            if (!_memory.IsNew("product:" + product.Id, json))
                return;
            await ReportAsync($"the change of product {product.Id}", _host.HandOffEvent(0, _time.GetUtcNow().UtcDateTime, json));
        });
    }

    /// <summary>The triggers the enabled flows listen for; none while synchronisation is off or no flows are saved.</summary>
    private async Task<IReadOnlySet<string>> ListeningAsync()
    {
        var settings = await _settingsManager.LoadAsync();
        return settings.Enabled ? FlowDocuments.EnabledTriggers(settings.FlowsJson) : new HashSet<string>();
    }

    private async Task ReportAsync(string what, SubmitResult result)
    {
        if (result.State == SubmitState.Spooled)
            await SafeLogAsync(l => l.WarningAsync($"KashFlow: {what} is spooled ({result.Message}); it is sent when the engine runs."));
        else if (result.Receipt?.State == EngineNames.ReceiptFailed)
            await SafeLogAsync(l => l.ErrorAsync($"KashFlow: the engine recorded {what} as failed: {result.Receipt.Message}"));
    }

    private async Task GuardAsync(string what, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception ex)
        {
            // a registration, a product save or a shipment must never fail because of KashFlow
            await SafeLogAsync(l => l.ErrorAsync($"KashFlow: {what} could not be sent to the sync engine.", ex));
        }
    }

    private async Task SafeLogAsync(Func<ILogger, Task> log)
    {
        try
        {
            await log(_logger);
        }
        catch (Exception)
        {
            // the log itself is down (database gone): stay silent rather than break the request
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// The last customer and product documents sent, per entity, for this application: nopCommerce saves a
/// customer on every visit and a product on every stock change, and only a change KashFlow would see is
/// worth a document. Forgotten at a restart (the engine takes an unchanged document again harmlessly).
/// </summary>
public sealed class FlowEventMemory
{
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, string> _last = new(StringComparer.Ordinal);

    /// <summary>True (and remembered) when <paramref name="document"/> differs from the last one of <paramref name="key"/>.</summary>
    public bool IsNew(string key, string document)
    {
        if (_last.TryGetValue(key, out var last) && last == document)
            return false;
        if (_last.Count >= Capacity)
            _last.Clear(); // a bound, not a cache policy: at worst some unchanged documents are sent again
        _last[key] = document;
        return true;
    }
}
