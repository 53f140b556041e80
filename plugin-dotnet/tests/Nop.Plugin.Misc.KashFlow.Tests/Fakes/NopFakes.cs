// Small in-memory stand-ins for the nopCommerce services the plugin calls. They keep state like the
// real ones would (rows, notes, settings, resources, log) so tests can assert what the plugin did.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nop.Core;
using Nop.Core.Configuration;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Core.Events;
using Nop.Services.Catalog;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Directory;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Services.Messages;
using Nop.Services.Orders;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Microsoft.Extensions.DependencyInjection;
using Nop.Services.Plugins;
using Nop.Web.Framework.Menu;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed class FakeOrderService : IOrderService
{
    public ConcurrentDictionary<int, Order> Orders { get; } = new();
    public ConcurrentDictionary<int, List<OrderItem>> Items { get; } = new();
    public ConcurrentQueue<OrderNote> Notes { get; } = new();
    public int Updates;
    public Func<int, Exception?>? FailOnGet { get; set; }

    public Task<Order> GetOrderByIdAsync(int orderId)
    {
        if (FailOnGet?.Invoke(orderId) is { } ex)
            throw ex;
        return Task.FromResult(Orders.GetValueOrDefault(orderId)!);
    }

    public Task<Order> GetOrderByCustomOrderNumberAsync(string customOrderNumber) =>
        Task.FromResult(Orders.Values.FirstOrDefault(o => o.CustomOrderNumber == customOrderNumber)!);

    public Task UpdateOrderAsync(Order order)
    {
        Interlocked.Increment(ref Updates);
        Orders[order.Id] = order;
        return Task.CompletedTask;
    }

    /// <summary>Only the filters the plugin uses (created from/to, paging); oldest first, as nopCommerce sorts by id.</summary>
    public Task<IPagedList<Order>> SearchOrdersAsync(int storeId = 0, int vendorId = 0, int customerId = 0, int productId = 0,
        int affiliateId = 0, int warehouseId = 0, int billingCountryId = 0, string paymentMethodSystemName = null!,
        DateTime? createdFromUtc = null, DateTime? createdToUtc = null, List<int> osIds = null!, List<int> psIds = null!,
        List<int> ssIds = null!, string billingPhone = null!, string billingEmail = null!, string billingLastName = "",
        string orderNotes = null!, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false)
    {
        var all = Orders.Values
            .Where(o => (createdFromUtc is null || o.CreatedOnUtc >= createdFromUtc) && (createdToUtc is null || o.CreatedOnUtc <= createdToUtc))
            .OrderBy(o => o.Id)
            .ToList();
        return Task.FromResult<IPagedList<Order>>(new FakePagedList<Order>(all, pageIndex, pageSize));
    }

    public Task<IList<OrderItem>> GetOrderItemsAsync(int orderId, bool? isNotReturnable = null, bool? isShipEnabled = null, int vendorId = 0) =>
        Task.FromResult<IList<OrderItem>>(Items.GetValueOrDefault(orderId)?.ToList() ?? []);

    public Task<IList<OrderNote>> GetOrderNotesByOrderIdAsync(int orderId, bool? displayToCustomer = null) =>
        Task.FromResult<IList<OrderNote>>(Notes.Where(n => n.OrderId == orderId && (displayToCustomer is null || n.DisplayToCustomer == displayToCustomer)).ToList());

    public Task InsertOrderNoteAsync(OrderNote orderNote)
    {
        Notes.Enqueue(orderNote);
        return Task.CompletedTask;
    }
}

public sealed class FakePagedList<T> : List<T>, IPagedList<T>
{
    public FakePagedList(IReadOnlyList<T> all, int pageIndex, int pageSize)
    {
        PageIndex = pageIndex;
        PageSize = Math.Max(1, pageSize);
        TotalCount = all.Count;
        TotalPages = (int)Math.Ceiling(all.Count / (double)PageSize);
        AddRange(all.Skip((int)Math.Min(int.MaxValue, (long)pageIndex * PageSize)).Take(PageSize));
    }

    public int PageIndex { get; }
    public int PageSize { get; }
    public int TotalCount { get; }
    public int TotalPages { get; }
    public bool HasPreviousPage => PageIndex > 0;
    public bool HasNextPage => PageIndex + 1 < TotalPages;
}

public sealed class FakeProductService : IProductService
{
    public ConcurrentDictionary<int, Product> Products { get; } = new();
    public ConcurrentQueue<(int ProductId, int Delta, string Message)> Adjustments { get; } = new();

    public Task<Product> GetProductByIdAsync(int productId) => Task.FromResult(Products.GetValueOrDefault(productId)!);

    public Task<Product> GetProductBySkuAsync(string sku) =>
        Task.FromResult(Products.Values.FirstOrDefault(p => string.Equals(p.Sku, sku, StringComparison.Ordinal))!);

    /// <summary>What the readiness page asks: published (overridePublished) or all (null), never deleted, paged by id.</summary>
    public Task<IPagedList<Product>> SearchProductsAsync(int pageIndex = 0, int pageSize = int.MaxValue, IList<int> categoryIds = null!,
        IList<int> manufacturerIds = null!, int storeId = 0, int vendorId = 0, int warehouseId = 0, ProductType? productType = null,
        bool visibleIndividuallyOnly = false, bool excludeFeaturedProducts = false, decimal? priceMin = null, decimal? priceMax = null,
        int productTagId = 0, string keywords = null!, bool searchDescriptions = false, bool searchManufacturerPartNumber = true,
        bool searchSku = true, bool searchProductTags = false, int languageId = 0, IList<SpecificationAttributeOption> filteredSpecOptions = null!,
        ProductSortingEnum orderBy = ProductSortingEnum.Position, bool showHidden = false, bool? overridePublished = null,
        bool inStockOnly = false, bool discountOnly = false)
    {
        SearchCalls++;
        var published = overridePublished ?? (showHidden ? null : true);
        var all = Products.Values.Where(p => !p.Deleted && (published is null || p.Published == published)).OrderBy(p => p.Id).ToList();
        return Task.FromResult<IPagedList<Product>>(new FakePagedList<Product>(all, pageIndex, pageSize));
    }

    public int SearchCalls { get; private set; }

    public Task<string> FormatSkuAsync(Product product, string attributesXml = null!) => Task.FromResult(product.Sku);

    public Task AdjustInventoryAsync(Product product, int quantityToChange, string attributesXml = "", string message = "")
    {
        if (product.ManageInventoryMethod == ManageInventoryMethod.ManageStock)
            product.StockQuantity += quantityToChange;
        Adjustments.Enqueue((product.Id, quantityToChange, message));
        return Task.CompletedTask;
    }
}

/// <summary>Stores each settings object as JSON, as nopCommerce stores rows: a load returns a fresh copy.</summary>
public sealed class FakeSettingService : ISettingService
{
    public ConcurrentDictionary<Type, string> Stored { get; } = new();

    public Task<T> LoadSettingAsync<T>(int storeId = 0) where T : ISettings, new() =>
        Task.FromResult(Stored.TryGetValue(typeof(T), out var json) ? JsonSerializer.Deserialize<T>(json)! : new T());

    public Task SaveSettingAsync<T>(T settings, int storeId = 0) where T : ISettings, new()
    {
        Stored[typeof(T)] = JsonSerializer.Serialize(settings);
        return Task.CompletedTask;
    }

    public Task DeleteSettingAsync<T>() where T : ISettings, new()
    {
        Stored.TryRemove(typeof(T), out _);
        return Task.CompletedTask;
    }
}

/// <summary>AES like nopCommerce's default, with a fixed test key.</summary>
public sealed class FakeEncryptionService : IEncryptionService
{
    private static readonly byte[] Key = SHA256.HashData(Encoding.UTF8.GetBytes("test-encryption-key"));

    public string EncryptText(string plainText, string encryptionPrivateKey = "")
    {
        using var aes = Aes.Create();
        aes.Key = Key;
        aes.GenerateIV();
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(plainText), aes.IV);
        return Convert.ToBase64String(aes.IV.Concat(cipher).ToArray());
    }

    public string DecryptText(string cipherText, string encryptionPrivateKey = "")
    {
        var bytes = Convert.FromBase64String(cipherText);
        using var aes = Aes.Create();
        aes.Key = Key;
        return Encoding.UTF8.GetString(aes.DecryptCbc(bytes[16..], bytes[..16]));
    }
}

public sealed class FakeLocalizationService : ILocalizationService
{
    public ConcurrentDictionary<string, string> Resources { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<string> GetResourceAsync(string resourceKey) =>
        Task.FromResult(Resources.TryGetValue(resourceKey, out var value) ? value : resourceKey);

    public Task AddOrUpdateLocaleResourceAsync(IDictionary<string, string> resources, int? languageId = null)
    {
        foreach (var (key, value) in resources)
            Resources[key] = value;
        return Task.CompletedTask;
    }

    /// <summary>Localized values as (entity id, language id) → text; otherwise the entity's own value.</summary>
    public ConcurrentDictionary<(int EntityId, int LanguageId), string> Localized { get; } = new();

    public Task<TPropType> GetLocalizedAsync<TEntity, TPropType>(TEntity entity, System.Linq.Expressions.Expression<Func<TEntity, TPropType>> keySelector,
        int? languageId = null, bool returnDefaultValue = true, bool ensureTwoPublishedLanguages = true)
        where TEntity : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity
    {
        if (typeof(TPropType) == typeof(string) && languageId is { } lang && Localized.TryGetValue((entity.Id, lang), out var text))
            return Task.FromResult((TPropType)(object)text);
        // read the property directly: compiling the expression on every call would dominate benchmarks
        if (keySelector.Body is System.Linq.Expressions.MemberExpression { Member: System.Reflection.PropertyInfo property })
            return Task.FromResult((TPropType)property.GetValue(entity)!);
        return Task.FromResult(keySelector.Compile()(entity));
    }

    public Task DeleteLocaleResourcesAsync(string resourceNamePrefix, int? languageId = null)
    {
        foreach (var key in Resources.Keys.Where(k => k.StartsWith(resourceNamePrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            Resources.TryRemove(key, out _);
        return Task.CompletedTask;
    }
}

public sealed record LogEntry(string Level, string Message, Exception? Exception);

public sealed class FakeLogger : ILogger
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public string AllText => string.Join("\n", Entries.Select(e => $"{e.Level}: {e.Message} {e.Exception?.Message}"));

    public Task InformationAsync(string message, Exception exception = null!, Customer customer = null!) => Add("Information", message, exception);

    public Task WarningAsync(string message, Exception exception = null!, Customer customer = null!) => Add("Warning", message, exception);

    public Task ErrorAsync(string message, Exception exception = null!, Customer customer = null!) => Add("Error", message, exception);

    private Task Add(string level, string message, Exception? exception)
    {
        Entries.Enqueue(new LogEntry(level, message, exception));
        return Task.CompletedTask;
    }
}

public sealed class FakePermissionService : IPermissionService
{
    public HashSet<string> Granted { get; } = new();

    public Task<bool> AuthorizeAsync(string permissionRecordSystemName) => Task.FromResult(Granted.Contains(permissionRecordSystemName));
}

public sealed class FakeCustomerService : ICustomerService
{
    public ConcurrentDictionary<int, Customer> Customers { get; } = new();

    public HashSet<int> Guests { get; } = new();

    public Task<Customer> GetCustomerByIdAsync(int customerId) => Task.FromResult(Customers.GetValueOrDefault(customerId)!);

    public Task<bool> IsGuestAsync(Customer customer, bool onlyActiveCustomerRoles = true) => Task.FromResult(Guests.Contains(customer.Id));

    /// <summary>Each customer's roles by system name (none unless a test gives some; inactive ones only with showHidden).</summary>
    public ConcurrentDictionary<int, List<CustomerRole>> Roles { get; } = new();

    public Task<IList<CustomerRole>> GetCustomerRolesAsync(Customer customer, bool showHidden = false) =>
        Task.FromResult<IList<CustomerRole>>(Roles.GetValueOrDefault(customer.Id)?.Where(r => showHidden || r.Active).ToList() ?? []);
}

public sealed class FakeCurrencyService : ICurrencyService
{
    public ConcurrentDictionary<int, Currency> Currencies { get; } = new();

    public Task<Currency> GetCurrencyByIdAsync(int currencyId) => Task.FromResult(Currencies.GetValueOrDefault(currencyId)!);

    public Task<IList<Currency>> GetAllCurrenciesAsync(bool showHidden = false, int storeId = 0) =>
        Task.FromResult<IList<Currency>>(Currencies.Values.OrderBy(c => c.Id).ToList());
}

public sealed class FakeGiftCardService : IGiftCardService
{
    public List<GiftCardUsageHistory> Usage { get; } = new();

    public Task<IList<GiftCardUsageHistory>> GetGiftCardUsageHistoryAsync(Order order) =>
        Task.FromResult<IList<GiftCardUsageHistory>>(Usage.Where(u => u.UsedWithOrderId == order.Id).ToList());
}

public sealed class FakeRewardPointService : IRewardPointService
{
    public ConcurrentDictionary<int, RewardPointsHistory> Entries { get; } = new();

    public Task<RewardPointsHistory> GetRewardPointsHistoryEntryByIdAsync(int rewardPointsHistoryId) =>
        Task.FromResult(Entries.GetValueOrDefault(rewardPointsHistoryId)!);
}

public sealed class FakeAddressService : IAddressService
{
    public ConcurrentDictionary<int, Address> Addresses { get; } = new();

    public Task<Address> GetAddressByIdAsync(int addressId) => Task.FromResult(Addresses.GetValueOrDefault(addressId)!);
}

public sealed class FakeCountryService : ICountryService
{
    public ConcurrentDictionary<int, Country> Countries { get; } = new();

    public Task<Country> GetCountryByIdAsync(int countryId) => Task.FromResult(Countries.GetValueOrDefault(countryId)!);
}

public sealed class FakeStateProvinceService : IStateProvinceService
{
    public ConcurrentDictionary<int, StateProvince> States { get; } = new();

    public Task<StateProvince> GetStateProvinceByIdAsync(int stateProvinceId) => Task.FromResult(States.GetValueOrDefault(stateProvinceId)!);
}

public sealed class FakeScheduleTaskService : IScheduleTaskService
{
    public List<ScheduleTask> Tasks { get; } = new();

    public Task DeleteTaskAsync(ScheduleTask task)
    {
        Tasks.Remove(task);
        return Task.CompletedTask;
    }

    public Task<ScheduleTask> GetTaskByTypeAsync(string type) => Task.FromResult(Tasks.FirstOrDefault(t => t.Type == type)!);

    public Task InsertTaskAsync(ScheduleTask task)
    {
        task.Id = Tasks.Count + 1;
        Tasks.Add(task);
        return Task.CompletedTask;
    }
}

public sealed class FakeNotificationService : INotificationService
{
    public List<(string Kind, string Message)> Notifications { get; } = new();

    public void SuccessNotification(string message, bool encode = true, int timeout = 0) => Notifications.Add(("Success", message));

    public void WarningNotification(string message, bool encode = true, int timeout = 0) => Notifications.Add(("Warning", message));

    public void ErrorNotification(string message, bool encode = true, int timeout = 0) => Notifications.Add(("Error", message));
}

public sealed class FakeNopUrlHelper : INopUrlHelper
{
    public string RouteUrl(string routeName, object values = null!, string protocol = null!, string host = null!, string fragment = null!) =>
        $"/route/{routeName}";
}

/// <summary>Loads the plugin by its system name while <see cref="TestStore.PluginInstalled"/> (nopCommerce loads only installed plugins).</summary>
public sealed class FakePluginManager(TestStore store, IServiceProvider services) : IPluginManager<IPlugin>
{
    public Task<IPlugin> LoadPluginBySystemNameAsync(string systemName, Nop.Core.Domain.Customers.Customer customer = null!, int storeId = 0) =>
        Task.FromResult<IPlugin>(store.PluginInstalled && systemName == KashFlowDefaults.SystemName
            ? services.CreateScope().ServiceProvider.GetRequiredService<KashFlowPlugin>()
            : null!);
}

public sealed class FakeAdminMenu : IAdminMenu
{
    public Task<AdminMenuItem> GetRootNodeAsync(bool showHidden = false) => throw new NotSupportedException();

    public string GetMenuItemUrl(string controllerName, string actionName) => $"/Admin/{controllerName}/{actionName}";
}

public sealed class PublishedEvents
{
    public ConcurrentQueue<object> All { get; } = new();
}

/// <summary>Publishes to the IConsumer&lt;T&gt; registered in the container, one after another, like nopCommerce.</summary>
public sealed class FakeEventPublisher : IEventPublisher
{
    private readonly PublishedEvents _published;
    private readonly IServiceProvider _services;

    public FakeEventPublisher(IServiceProvider services, PublishedEvents published)
    {
        _services = services;
        _published = published;
    }

    public async Task PublishAsync<TEvent>(TEvent @event)
    {
        _published.All.Enqueue(@event!);
        foreach (var consumer in (IEnumerable<Nop.Services.Events.IConsumer<TEvent>>?)_services.GetService(typeof(IEnumerable<Nop.Services.Events.IConsumer<TEvent>>)) ?? [])
            await consumer.HandleEventAsync(@event);
    }

    public void Publish<TEvent>(TEvent @event) => PublishAsync(@event).GetAwaiter().GetResult();
}
