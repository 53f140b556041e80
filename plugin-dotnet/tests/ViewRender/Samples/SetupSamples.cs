// Samples of the product readiness page and the setup wizard, built by their own controllers: the products
// page over a shop whose engine has read the sandbox KashFlow's lists (two products missing, ten unsold), the
// wizard's steps in a fresh store (nothing set yet) and after a working connection test.
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace ViewRender.Samples;

public static class SetupSamples
{
    /// <summary>A store logged in to the sandbox KashFlow; syncing (engine started) or, as in the wizard, not yet.</summary>
    private static async Task<TestStore> SandboxStoreAsync(bool syncing = true)
    {
        var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await store.ConfigureAsync(s =>
        {
            s.Enabled = syncing;
            s.Mode = KashFlowMode.Sandbox;
            s.Transport = KashFlowTransport.Soap;
        }, "sandbox", "sandbox-password", "kashflow");
        if (syncing && !await store.Host.EnsureStartedAsync())
            throw new InvalidOperationException(store.Host.LastStartError);
        return store;
    }

    /// <summary>The products page once KashFlow's lists are read: two products to create, ten unsold.</summary>
    public static async Task<object> ProductsAsync(SampleStore _)
    {
        await using var store = await SandboxStoreAsync();
        SampleOrders.SeedProduct(store, 501, "BOOK-UK-COOK", "The British Cookbook", 30).Published = true;
        SampleOrders.SeedProduct(store, 502, "TEA-TIN", "Loose Leaf Tea Tin", 80).Published = true;
        SampleOrders.SeedProduct(store, 503, "CANDLE-SOY", "Soy Candle, vanilla & amber (200 g)", 12).Published = true;
        SampleOrders.SeedProduct(store, 504, "SOAP-BAR", "Olive Soap Bar", 40).Published = true;
        SampleOrders.SeedProduct(store, 507, "", "Gift message", 0).Published = true;
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().RefreshProducts();
        await using (var scope = store.Scope())
            return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().Products()).Model!;
    }

    /// <summary>The products page before KashFlow's lists were read.</summary>
    public static async Task<object> ProductsNotReadAsync(SampleStore _)
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        SampleOrders.SeedProduct(store, 501, "BOOK-UK-COOK", "The British Cookbook", 30).Published = true;
        await using var scope = store.Scope();
        return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowProductsController>().Products()).Model!;
    }

    /// <summary>One wizard step in a fresh store.</summary>
    public static Func<SampleStore, Task<object>> WizardStep(int step) => async _ =>
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await using var scope = store.Scope();
        return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().Setup(step, null)).Model!;
    };

    /// <summary>A fresh store taken through the wizard's first step as an admin does it (SOAP, Sandbox, the login typed).</summary>
    private static async Task<TestStore> ConnectedWizardStoreAsync()
    {
        var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await using var scope = store.Scope();
        var wizard = scope.ServiceProvider.GetRequiredService<KashFlowSetupController>();
        var page = (SetupModel)((ViewResult)await wizard.Setup(1, null)).Model!;
        page.Configuration.UserName = "sandbox";
        page.Configuration.Password = "sandbox-password";
        await wizard.SetupSave(page);
        return store;
    }

    /// <summary>The wizard's test step after a working connection test against the sandbox KashFlow.</summary>
    public static async Task<object> WizardTestedAsync(SampleStore _)
    {
        await using var store = await ConnectedWizardStoreAsync();
        await using var scope = store.Scope();
        return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().SetupTest()).Model!;
    }

    /// <summary>A later wizard step once the connection works (KashFlow's lists in the dropdowns).</summary>
    public static Func<SampleStore, Task<object>> WizardConnectedStep(int step) => async _ =>
    {
        await using var store = await ConnectedWizardStoreAsync();
        await using (var scope = store.Scope())
            await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().SetupTest();
        await using (var scope = store.Scope())
            return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().Setup(step, null)).Model!;
    };
}

/// <summary>The flows designer page, from its controller: the default flow, and an example loaded with an error on a box.</summary>
public static class FlowsSamples
{
    public static async Task<object> DefaultAsync(SampleStore _)
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await using var scope = store.Scope();
        return ((ViewResult)await scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>().Flows()).Model!;
    }
}
