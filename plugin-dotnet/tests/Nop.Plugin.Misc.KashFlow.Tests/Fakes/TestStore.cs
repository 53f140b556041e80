// A nopCommerce store in a box: the plugin's own DI registrations (NopStartup) on top of the fakes,
// an App_Data folder in a temporary directory, and the consumers registered the way nopCommerce does.
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.KashFlow.Infrastructure;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Plugins;
using Nop.Web.Framework.Menu;
using Nop.Services.Catalog;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Directory;
using Nop.Services.Events;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Services.Messages;
using Nop.Services.Orders;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.KashFlow.Tests.Fakes;

public sealed class TestStore : IAsyncDisposable
{
    public FakeOrderService Orders { get; }
    public FakeProductService Products { get; }
    public FakeSettingService Settings { get; }
    public FakeEncryptionService Encryption { get; } = new();
    public FakeLocalizationService Localization { get; } = new();
    public FakeLogger Logger { get; } = new();
    public FakePermissionService Permissions { get; } = new();
    public FakeCustomerService Customers { get; }
    public FakeAddressService Addresses { get; }
    public FakeCountryService Countries { get; }
    public FakeStateProvinceService States { get; }
    public FakeScheduleTaskService Tasks { get; } = new();
    public FakeNotificationService Notifications { get; } = new();
    public FakeCurrencyService Currencies { get; }
    public FakeGiftCardService GiftCards { get; }
    public FakeRewardPointService RewardPoints { get; }
    public FakeCategoryService Categories { get; }
    public FakeStoreService Stores { get; }
    public FakeTaxCategoryService TaxCategories { get; }
    public PublishedEvents Published { get; } = new();

    public string ContentRoot { get; }
    public ServiceProvider Services { get; }

    /// <summary>The clock the plugin reads (the system's unless a test passes a FakeTimeProvider).</summary>
    public TimeProvider Time { get; }

    /// <param name="sameDatabaseAs">Another store whose database (orders, settings, customers, …) this one
    /// shares: a second nopCommerce process (IIS overlapped recycling) or node (a web farm) of one store.</param>
    /// <param name="configureServices">More of nopCommerce's registrations (a web farm's IRepository&lt;T&gt;s, say).</param>
    public TestStore(string? dataDirectory = null, TimeProvider? time = null, TestStore? sameDatabaseAs = null,
        Action<IServiceCollection>? configureServices = null)
    {
        Time = time ?? TimeProvider.System;
        Orders = sameDatabaseAs?.Orders ?? new();
        Products = sameDatabaseAs?.Products ?? new();
        Settings = sameDatabaseAs?.Settings ?? new();
        Customers = sameDatabaseAs?.Customers ?? new();
        Addresses = sameDatabaseAs?.Addresses ?? new();
        Countries = sameDatabaseAs?.Countries ?? new();
        States = sameDatabaseAs?.States ?? new();
        Currencies = sameDatabaseAs?.Currencies ?? new();
        GiftCards = sameDatabaseAs?.GiftCards ?? new();
        RewardPoints = sameDatabaseAs?.RewardPoints ?? new();
        Categories = sameDatabaseAs?.Categories ?? new();
        Stores = sameDatabaseAs?.Stores ?? new();
        TaxCategories = sameDatabaseAs?.TaxCategories ?? new();
        ContentRoot = Path.Combine(Path.GetTempPath(), "kashflow-plugin-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(ContentRoot);

        var services = new ServiceCollection();
        services.AddSingleton<IOrderService>(Orders);
        services.AddSingleton<IProductService>(Products);
        services.AddSingleton<ISettingService>(Settings);
        services.AddSingleton<IEncryptionService>(Encryption);
        services.AddSingleton<ILocalizationService>(Localization);
        services.AddSingleton<ILogger>(Logger);
        services.AddSingleton<IPermissionService>(Permissions);
        services.AddSingleton<ICustomerService>(Customers);
        services.AddSingleton<IAddressService>(Addresses);
        services.AddSingleton<ICountryService>(Countries);
        services.AddSingleton<IStateProvinceService>(States);
        services.AddSingleton<IScheduleTaskService>(Tasks);
        services.AddSingleton<INotificationService>(Notifications);
        services.AddSingleton<INopUrlHelper, FakeNopUrlHelper>();
        services.AddSingleton<ICurrencyService>(Currencies);
        services.AddSingleton<IGiftCardService>(GiftCards);
        services.AddSingleton<IRewardPointService>(RewardPoints);
        services.AddSingleton<ICategoryService>(Categories);
        services.AddSingleton<Nop.Services.Stores.IStoreService>(Stores);
        services.AddSingleton<Nop.Services.Tax.ITaxCategoryService>(TaxCategories);
        services.AddSingleton(Published);
        services.AddScoped<IEventPublisher, FakeEventPublisher>();
        services.AddSingleton(new AdminAreaSettings { DefaultGridPageSize = 15, GridPageSizes = "15, 50, 100" });
        services.AddSingleton<IWebHostEnvironment>(new TestEnvironment(ContentRoot));

        // what nopCommerce discovers by itself: consumers (scoped) and the schedule task
        services.AddScoped<OrderEventConsumer>();
        services.AddScoped<IConsumer<OrderPlacedEvent>>(sp => sp.GetRequiredService<OrderEventConsumer>());
        services.AddScoped<IConsumer<OrderPaidEvent>>(sp => sp.GetRequiredService<OrderEventConsumer>());
        services.AddScoped<IConsumer<OrderStatusChangedEvent>>(sp => sp.GetRequiredService<OrderEventConsumer>());
        services.AddScoped<IConsumer<OrderRefundedEvent>>(sp => sp.GetRequiredService<OrderEventConsumer>());
        services.AddScoped<IConsumer<OrderVoidedEvent>>(sp => sp.GetRequiredService<OrderEventConsumer>());
        services.AddScoped<FlowEventConsumer>();
        services.AddScoped<IConsumer<OrderStatusChangedEvent>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<Nop.Core.Domain.Shipping.ShipmentSentEvent>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<Nop.Core.Domain.Shipping.ShipmentDeliveredEvent>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<Nop.Core.Domain.Customers.CustomerRegisteredEvent>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<EntityUpdatedEvent<Nop.Core.Domain.Customers.Customer>>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<EntityInsertedEvent<Nop.Core.Domain.Catalog.Product>>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<EntityUpdatedEvent<Nop.Core.Domain.Catalog.Product>>>(sp => sp.GetRequiredService<FlowEventConsumer>());
        services.AddScoped<IConsumer<AdminMenuCreatedEvent>, AdminMenuEventConsumer>();
        services.AddSingleton<IAdminMenu, FakeAdminMenu>();
        services.AddSingleton<IPluginManager<IPlugin>>(sp => new FakePluginManager(this, sp));
        services.AddScoped<KashFlowSyncTask>();
        services.AddScoped<Controllers.KashFlowAdminController>();
        services.AddScoped<Controllers.KashFlowProductsController>();
        services.AddScoped<Controllers.KashFlowSetupController>();
        services.AddScoped<Controllers.KashFlowFlowsController>();
        services.AddScoped<KashFlowPlugin>();

        services.AddSingleton(Time); // before NopStartup, whose TimeProvider.System is only a fallback
        new NopStartup().ConfigureServices(services, new ConfigurationBuilder().Build());
        if (dataDirectory is not null)
        {
            services.AddSingleton(new KashFlowEnginePaths(dataDirectory));
        }
        configureServices?.Invoke(services);
        Services = services.BuildServiceProvider();

        // a GBP store, as the sandbox seed assumes
        Currencies.Currencies[1] = new Nop.Core.Domain.Directory.Currency { Id = 1, CurrencyCode = "GBP" };
        Settings.SaveSettingAsync(new Nop.Core.Domain.Directory.CurrencySettings { PrimaryStoreCurrencyId = 1 }).GetAwaiter().GetResult();
    }

    /// <summary>Whether nopCommerce would load the plugin (installed); the admin menu item needs it.</summary>
    public bool PluginInstalled { get; set; } = true;

    public IKashFlowEngineHost Host => Services.GetRequiredService<IKashFlowEngineHost>();

    public KashFlowEnginePaths Paths => Services.GetRequiredService<KashFlowEnginePaths>();

    public OutcomePollingService Poller => Services.GetServices<IHostedService>().OfType<OutcomePollingService>().Single();

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Publishes like nopCommerce does, in a fresh request scope.</summary>
    public async Task PublishAsync<T>(T @event)
    {
        await using var scope = Scope();
        await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(@event);
    }

    /// <summary>Stores settings as the admin page would (credentials encrypted).</summary>
    public async Task ConfigureAsync(Action<KashFlowSettings> change, string userName = "", string password = "", string memorableWord = "")
    {
        await using var scope = Scope();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();
        var settings = await manager.LoadAsync();
        change(settings);
        manager.SetCredentials(settings, userName, password, memorableWord);
        await manager.SaveAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        Host.Stop();
        await Services.DisposeAsync();
        try
        {
            Directory.Delete(ContentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class TestEnvironment(string root) : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "Nop.Web";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = root;
        public string EnvironmentName { get; set; } = "Testing";
    }
}
