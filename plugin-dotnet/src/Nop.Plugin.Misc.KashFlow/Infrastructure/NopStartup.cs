// DI registration (nopCommerce discovers INopStartup types and creates them with a parameterless
// constructor). Consumers, the schedule task and settings are found by nopCommerce itself; this adds the
// one-per-application engine host, the scoped services, and the hosted outcome poller.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nop.Core.Infrastructure;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Services;

namespace Nop.Plugin.Misc.KashFlow.Infrastructure;

public class NopStartup : INopStartup
{
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        // the plugin reads the time from a TimeProvider (tests use a fake clock); the store's own, if it has one
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new KashFlowEnginePaths(
            Path.Combine(provider.GetRequiredService<IWebHostEnvironment>().ContentRootPath, "App_Data", KashFlowDefaults.DataDirectoryName)));
        services.AddSingleton<IKashFlowEngineHost, KashFlowEngineHost>();
        services.AddScoped<KashFlowSettingsManager>();
        services.AddScoped<IOrderSnapshotBuilder, OrderSnapshotBuilder>();
        services.AddScoped<OrderSnapshotBuilder>(); // the dry run asks it for the flow facts whatever is saved
        services.AddScoped<OutcomeApplier>();
        services.AddScoped<OrderBackfill>();
        services.AddScoped<FlowDryRun>();
        services.AddSingleton<FlowEventMemory>();
        services.AddScoped<KashFlowModelFactory>();
        services.AddScoped<KashFlowPhrases>();
        services.AddSingleton<KashFlowLookups>();
        services.AddScoped<KashFlowAccount>();
        services.AddScoped<ProductReadiness>();
        services.AddHostedService<OutcomePollingService>();
    }

    public void Configure(IApplicationBuilder application)
    {
    }

    // after nopCommerce's core services (2000), like other plugins that only add registrations
    public int Order => 3000;
}
