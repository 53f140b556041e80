using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The first-run wizard driven as a shop admin would, against the real engine and its sandbox KashFlow (SOAP,
/// the recommended API, real HTTP on 127.0.0.1), in a typical shop: a fresh install, orders paid by two
/// payment methods, three published products of which one KashFlow lacks. Counts the fields the admin fills
/// (a field whose value differs from what the page offered) and the clicks (links followed and buttons
/// pressed), and checks every step was saved and the wizard can be left and resumed.
/// </summary>
public class SetupWizardTests
{
    private sealed class Tally
    {
        public int Fields;
        public int Clicks;
    }

    [Fact]
    public async Task A_first_setup_with_the_suggestions_accepted_is_a_handful_of_fields_and_clicks()
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        SampleOrders.SeedProduct(store, 501, "BOOK-UK-COOK", "The British Cookbook", 30).Published = true;
        SampleOrders.SeedProduct(store, 502, "TEA-TIN", "Loose Leaf Tea Tin", 80).Published = true;
        var candle = SampleOrders.SeedProduct(store, 503, "CANDLE-SOY", "Soy Candle", 12);
        candle.Published = true;
        candle.Price = 12.50m;
        SampleOrders.SeedZeroRatedOrder(store, 401);
        SampleOrders.SeedZeroRatedOrder(store, 402).PaymentMethodSystemName = "Payments.PayPalStandard";
        var tally = new Tally();

        // Configure offers the wizard; the admin opens it
        var configure = await ConfigureAsync(store);
        Assert.Equal(1, configure.SetupStep);
        var page = await OpenAsync(store, tally, null);
        Assert.Equal(SetupSteps.Connect, page.Step);

        // 1 connect: SOAP and Sandbox are what the page offers; the admin types the user name and API password
        Assert.Equal((int)KashFlowTransport.Soap, page.Configuration.TransportId);
        Assert.Equal((int)KashFlowMode.Sandbox, page.Configuration.ModeId);
        var posted = Echo(page);
        Fill(tally, posted.Configuration, c => c.UserName = "sandbox");
        Fill(tally, posted.Configuration, c => c.Password = "sandbox-password");
        page = await SaveAsync(store, tally, posted);
        Assert.Equal(SetupSteps.Test, page.Step);

        // 2 test: what was found, and KashFlow's lists read for the next steps
        page = await TestAsync(store, tally);
        Assert.True(page.ConnectionTest?.Ok, page.ConnectionTest?.Problem?.Technical);
        Assert.Contains(SetupSteps.Test, page.DoneSteps);
        Assert.True(page.Configuration.LookupsLoaded);
        Assert.True(page.Found is { PaymentMethods: > 0, BankAccounts: > 0, Nominals: > 0, Products: 12 }, page.Found?.ToString());
        page = await OpenAsync(store, tally, SetupSteps.Payments); // "Next"

        // 3 payment methods: a row per method the shop's orders use, the engine's suggestion selected where it has one
        // (beside the rows the engine's default rules already map)
        var rows = page.Configuration.PaymentMethodMappings.Where(m => !string.IsNullOrEmpty(m.SystemName)).Select(m => m.SystemName).ToList();
        Assert.Contains("Payments.Manual", rows);
        Assert.Contains("Payments.PayPalStandard", rows);
        posted = Echo(page);
        foreach (var row in posted.Configuration.PaymentMethodMappings.Where(m => !string.IsNullOrEmpty(m.SystemName)))
        {
            // a field nothing was suggested for: the admin picks KashFlow's first choice
            if (row.MethodId is null) Fill(tally, row, r => r.MethodId = FirstChoice(r.MethodOptions));
            if (row.BankAccountId is null) Fill(tally, row, r => r.BankAccountId = FirstChoice(r.BankAccountOptions));
        }
        var suggested = page.Configuration.PaymentMethodMappings.Count(m => m.MethodSuggestion?.Preselected == true)
            + page.Configuration.PaymentMethodMappings.Count(m => m.BankAccountSuggestion?.Preselected == true);
        page = await SaveAsync(store, tally, posted);
        Assert.Equal(SetupSteps.Nominals, page.Step);

        // 4 nominals and tax: each a named choice with one selected (the engine's default where it is in the account,
        // else its suggestion, marked); the admin accepts them all
        Assert.Equal(7, page.Configuration.NominalOptions.Count);
        Assert.Contains(20m, page.KashFlowVatRates);
        Assert.All(page.Configuration.NominalOptions.Values, options => Assert.NotNull(Selected(options)));
        Assert.All(page.Configuration.NominalSuggestions.Values, s => Assert.True(s.Preselected));
        posted = Echo(page);
        page = await SaveAsync(store, tally, posted);

        // 5 products: the page's counts; the admin opens the products page, creates the missing one, comes back
        Assert.Equal(SetupSteps.Products, page.Step);
        Assert.Single(page.Products!.Missing);
        tally.Clicks++; // "Open the products page"
        await using (var scope = store.Scope())
        {
            var products = scope.ServiceProvider.GetRequiredService<KashFlowProductsController>();
            var model = Assert.IsType<ProductReadinessModel>(Assert.IsType<ViewResult>(await products.Products()).Model);
            tally.Clicks++; // "Create all 1 in KashFlow" (the page sends the batches and reads the lists again by itself)
            var result = Assert.IsType<ProductBatchResultModel>(Assert.IsType<JsonResult>(
                await products.CreateProducts(model.Missing.Select(m => m.ProductId).ToArray())).Value);
            Assert.Equal(1, result.Created);
        }
        page = await OpenAsync(store, tally, null); // back to the wizard: it resumes where it was left
        Assert.Equal(SetupSteps.Products, page.Step);
        Assert.Empty(page.Products!.Missing);
        page = await SaveAsync(store, tally, Echo(page));

        // 6 what to sync: the defaults
        Assert.Equal(SetupSteps.Sync, page.Step);
        page = await SaveAsync(store, tally, Echo(page));

        // 7 try one real order: the most recent first; its invoice as KashFlow would get it
        Assert.Equal(SetupSteps.Preview, page.Step);
        Assert.Equal(2, page.RecentOrders.Count);
        page = await OpenAsync(store, tally, SetupSteps.Preview, page.RecentOrders[0].CustomOrderNumber);
        Assert.NotNull(page.Preview);
        Assert.Null(page.Preview!.Error);
        Assert.True(page.Preview.PreviewOk, string.Join("; ", page.Preview.Problems));
        Assert.NotNull(page.Preview.Invoice);
        page = await SaveAsync(store, tally, Echo(page));

        // 8 switch on
        Assert.Equal(SetupSteps.SwitchOn, page.Step);
        await using (var scope = store.Scope())
        {
            tally.Clicks++;
            var done = await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().SetupSave(Echo(page));
            Assert.Equal("Configure", Assert.IsType<RedirectToActionResult>(done).ActionName);
        }

        var settings = await LoadAsync(store);
        Assert.True(settings.Enabled);
        Assert.True(settings.SetupFinished);
        Assert.Equal("1,2,3,4,5,6,7,8", settings.SetupDoneSteps);
        Assert.NotNull(settings.SyncOnSinceUtc);
        var rules = RulesDocument.Parse(settings.RulesJson);
        Assert.Contains("Payments.PayPalStandard", rules.PaymentMethods.Select(p => p.SystemName));
        Assert.Contains("Payments.Manual", rules.PaymentMethods.Select(p => p.SystemName));
        Assert.NotNull(rules.GetNominal("Sales"));
        Assert.NotNull(store.Host.Engine);
        Assert.Null((await ConfigureAsync(store)).SetupStep);
        Assert.DoesNotContain(store.Notifications.Notifications, n => n.Kind == "Error");

        // The measure (README, plugin-dotnet/README.md): what the admin types is the KashFlow login; every payment
        // method and nominal came preselected (the engine's suggestion or its default found in the account).
        Assert.True(suggested >= 2, $"{suggested} payment fields suggested");
        Assert.True((tally.Fields, tally.Clicks) == (2, 14), $"first setup with the suggestions accepted: {tally.Fields} fields, {tally.Clicks} clicks");
    }

    [Fact]
    public async Task The_wizard_can_be_left_and_resumed_and_Configure_says_where()
    {
        await using var store = new TestStore();
        var page = await OpenAsync(store, new Tally(), null);
        var posted = Echo(page);
        posted.Configuration.UserName = "sandbox";
        posted.Configuration.Password = "sandbox-password";
        page = await SaveAsync(store, new Tally(), posted);
        Assert.Equal(SetupSteps.Test, page.Step);
        // a step's save keeps what the other steps stored: the credentials stay when the sync switches are saved
        page = await OpenAsync(store, new Tally(), SetupSteps.Sync);
        posted = Echo(page);
        posted.Configuration.PullStock = false;
        await SaveAsync(store, new Tally(), posted);

        // lists read from one account are dropped when step 1 names another
        store.Services.GetRequiredService<KashFlowLookups>().Set("{}", DateTime.UtcNow);
        page = await OpenAsync(store, new Tally(), SetupSteps.Connect);
        posted = Echo(page);
        posted.Configuration.UserName = "someone-else";
        await SaveAsync(store, new Tally(), posted);
        Assert.Null(store.Services.GetRequiredService<KashFlowLookups>().Last);
        // ...and kept when it names the same one
        store.Services.GetRequiredService<KashFlowLookups>().Set("{}", DateTime.UtcNow);
        await SaveAsync(store, new Tally(), Echo(await OpenAsync(store, new Tally(), SetupSteps.Connect)));
        Assert.NotNull(store.Services.GetRequiredService<KashFlowLookups>().Last);
        page = await OpenAsync(store, new Tally(), SetupSteps.Sync);
        posted = Echo(page);
        posted.Configuration.PullStock = false;
        await SaveAsync(store, new Tally(), posted);

        var configure = await ConfigureAsync(store);
        Assert.Equal(SetupSteps.Preview, configure.SetupStep);
        Assert.True(configure.PasswordStored);
        Assert.False(configure.PullStock);
        Assert.False(configure.Enabled);
        var resumed = await OpenAsync(store, new Tally(), null);
        Assert.Equal(SetupSteps.Preview, resumed.Step);
        Assert.Equal([1, 6], resumed.DoneSteps);
        Assert.Equal("someone-else", await UserNameAsync(store));
        // a step out of range is the nearest one
        Assert.Equal(SetupSteps.SwitchOn, (await OpenAsync(store, new Tally(), 42)).Step);
    }

    [Fact]
    public async Task A_store_set_up_before_the_wizard_is_not_asked_to_start_it_but_one_left_half_way_is()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true);
        Assert.Null((await ConfigureAsync(store)).SetupStep);

        await store.ConfigureAsync(s => s.SetupStep = 3);
        Assert.Equal(3, (await ConfigureAsync(store)).SetupStep);
    }

    [Fact]
    public async Task A_failed_test_says_what_to_change_and_the_step_is_not_done()
    {
        await using var store = new TestStore();
        // a KashFlow that cannot be reached (nothing listens on the port)
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await store.ConfigureAsync(s =>
        {
            s.Mode = KashFlowMode.Live;
            s.BaseUrl = $"http://127.0.0.1:{port}/v2";
            s.SoapUrl = $"http://127.0.0.1:{port}/api/service.asmx";
            s.TimeoutSeconds = 5;
        }, "sandbox", "not-the-password");

        var page = await TestAsync(store, new Tally());

        Assert.False(page.ConnectionTest!.Ok);
        Assert.NotNull(page.ConnectionTest.Problem);
        Assert.DoesNotContain(SetupSteps.Test, page.DoneSteps);
        Assert.DoesNotContain("not-the-password", page.ConnectionTest.Problem!.Technical ?? "");
    }

    [Fact]
    public void Every_step_has_a_title_and_a_hint_in_words()
    {
        for (var step = 1; step <= SetupSteps.Count; step++)
        {
            Assert.True(KashFlowLocales.All.TryGetValue(SetupSteps.TitleKey(step), out var title) && title.Length > 0, SetupSteps.TitleKey(step));
            Assert.True(KashFlowLocales.All.TryGetValue(SetupSteps.HintKey(step), out var hint) && hint.Length > title!.Length, SetupSteps.HintKey(step));
        }
        Assert.Equal(8, SetupSteps.Count);
    }

    /// <summary>What the browser posts back when the admin changes nothing: the page's values, the selected options.</summary>
    [Fact]
    public async Task The_tax_step_shows_the_engines_match_of_each_tax_category_and_currency_with_its_reason()
    {
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        store.TaxCategories.TaxCategories[1] = new Nop.Core.Domain.Tax.TaxCategory { Id = 1, Name = "Standard 20%" };
        store.TaxCategories.TaxCategories[2] = new Nop.Core.Domain.Tax.TaxCategory { Id = 2, Name = "Zero rated 0%" };
        store.TaxCategories.TaxCategories[3] = new Nop.Core.Domain.Tax.TaxCategory { Id = 3, Name = "Books" };
        store.Currencies.Currencies[1] = new Nop.Core.Domain.Directory.Currency { Id = 1, CurrencyCode = "GBP" };
        store.Currencies.Currencies[2] = new Nop.Core.Domain.Directory.Currency { Id = 2, CurrencyCode = "JPY" };
        var tally = new Tally();
        var page = await OpenAsync(store, tally, SetupSteps.Connect);
        var posted = Echo(page);
        posted.Configuration.UserName = "sandbox";
        posted.Configuration.Password = "sandbox-password";
        await SaveAsync(store, tally, posted);
        Assert.True((await TestAsync(store, tally)).ConnectionTest?.Ok);

        page = await OpenAsync(store, tally, SetupSteps.Nominals);

        var standard = page.TaxMatches.Single(m => m.Store == "Standard 20%");
        Assert.Equal("20%", standard.KashFlow);
        Assert.Contains("reads as 20%", standard.Reason);
        Assert.Equal("0%", page.TaxMatches.Single(m => m.Store == "Zero rated 0%").KashFlow);
        var books = page.TaxMatches.Single(m => m.Store == "Books");
        Assert.Null(books.KashFlow);
        Assert.Contains("no fixed rate", books.Reason);
        Assert.NotNull(page.CurrencyMatches.Single(m => m.Store == "GBP").KashFlow);
        Assert.Null(page.CurrencyMatches.Single(m => m.Store == "JPY").KashFlow);
    }

    private static SetupModel Echo(SetupModel page)
    {
        var c = page.Configuration;
        var posted = new ConfigurationModel
        {
            ModeId = c.ModeId,
            TransportId = c.TransportId,
            BaseUrl = c.BaseUrl,
            SoapUrl = c.SoapUrl,
            SyncCustomers = c.SyncCustomers,
            CreateInvoices = c.CreateInvoices,
            RecordPayments = c.RecordPayments,
            PullStock = c.PullStock,
            HoldPartialRefunds = c.HoldPartialRefunds,
            PaymentMethodMappings = c.PaymentMethodMappings.Select(m => new PaymentMethodMappingModel
            {
                SystemName = m.SystemName,
                MethodId = Selected(m.MethodOptions) ?? m.MethodId,
                BankAccountId = Selected(m.BankAccountOptions) ?? m.BankAccountId,
                MethodOptions = m.MethodOptions,
                BankAccountOptions = m.BankAccountOptions,
            }).ToList(),
            DefaultPaymentMethodId = Selected(c.DefaultMethodOptions) ?? c.DefaultPaymentMethodId,
            DefaultBankAccountId = Selected(c.DefaultBankAccountOptions) ?? c.DefaultBankAccountId,
            SalesNominal = Nominal(c, "Sales") ?? c.SalesNominal,
            ShippingNominal = Nominal(c, "Shipping") ?? c.ShippingNominal,
            DiscountNominal = Nominal(c, "Discounts") ?? c.DiscountNominal,
            PaymentFeeNominal = Nominal(c, "PaymentFee") ?? c.PaymentFeeNominal,
            GiftCardNominal = Nominal(c, "GiftCard") ?? c.GiftCardNominal,
            RewardPointsNominal = Nominal(c, "RewardPoints") ?? c.RewardPointsNominal,
            RoundingNominal = Nominal(c, "Rounding") ?? c.RoundingNominal,
        };
        return new SetupModel { Step = page.Step, Configuration = posted };
    }

    private static int? Selected(IList<SelectListItem> options) =>
        options.FirstOrDefault(o => o.Selected && o.Value.Length > 0) is { } o ? int.Parse(o.Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static int? Nominal(ConfigurationModel c, string role) => c.NominalOptions.TryGetValue(role, out var options) ? Selected(options) : null;

    private static int FirstChoice(IList<SelectListItem> options) =>
        int.Parse(options.First(o => o.Value.Length > 0).Value, System.Globalization.CultureInfo.InvariantCulture);

    private static void Fill<T>(Tally tally, T target, Action<T> change)
    {
        change(target);
        tally.Fields++;
    }

    private static async Task<SetupModel> OpenAsync(TestStore store, Tally tally, int? step, string? orderNumber = null)
    {
        tally.Clicks++;
        await using var scope = store.Scope();
        var view = Assert.IsType<ViewResult>(await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().Setup(step, orderNumber));
        Assert.Equal(KashFlowSetupController.SetupView, view.ViewName);
        return Assert.IsType<SetupModel>(view.Model);
    }

    /// <summary>Submits a step; the redirect it answers is followed (the browser does that, not a click).</summary>
    private static async Task<SetupModel> SaveAsync(TestStore store, Tally tally, SetupModel posted)
    {
        tally.Clicks++;
        RedirectToActionResult redirect;
        await using (var scope = store.Scope())
            redirect = Assert.IsType<RedirectToActionResult>(await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().SetupSave(posted));
        Assert.DoesNotContain(store.Notifications.Notifications, n => n.Kind == "Error");
        tally.Clicks--; // following the redirect is not a click
        return await OpenAsync(store, tally, redirect.RouteValues?["step"] as int?);
    }

    private static async Task<SetupModel> TestAsync(TestStore store, Tally tally)
    {
        tally.Clicks++;
        await using var scope = store.Scope();
        return Assert.IsType<SetupModel>(Assert.IsType<ViewResult>(await scope.ServiceProvider.GetRequiredService<KashFlowSetupController>().SetupTest()).Model);
    }

    private static async Task<ConfigurationModel> ConfigureAsync(TestStore store)
    {
        await using var scope = store.Scope();
        return Assert.IsType<ConfigurationModel>(Assert.IsType<ViewResult>(await scope.ServiceProvider.GetRequiredService<KashFlowAdminController>().Configure()).Model);
    }

    private static async Task<string> UserNameAsync(TestStore store)
    {
        await using var scope = store.Scope();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();
        return manager.GetCredentials(await manager.LoadAsync()).UserName;
    }

    private static async Task<KashFlowSettings> LoadAsync(TestStore store)
    {
        await using var scope = store.Scope();
        return await scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>().LoadAsync();
    }
}
