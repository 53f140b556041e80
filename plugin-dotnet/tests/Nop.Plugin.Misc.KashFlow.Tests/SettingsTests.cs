using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class SettingsTests
{
    private const string Password = "S3cret-pass!";
    private const string Word = "marmalade";

    [Fact]
    public async Task Credentials_are_stored_encrypted_and_round_trip()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = true, "shop-user", Password, Word);

        var stored = store.Settings.Stored[typeof(KashFlowSettings)];
        Assert.DoesNotContain("shop-user", stored);
        Assert.DoesNotContain(Password, stored);
        Assert.DoesNotContain(Word, stored);

        await using var scope = store.Scope();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();
        var credentials = manager.GetCredentials(await manager.LoadAsync());
        Assert.Equal(new KashFlowCredentials("shop-user", Password, Word), credentials);
        Assert.DoesNotContain(Password, credentials.ToString());
        Assert.DoesNotContain(Word, credentials.ToString());
    }

    [Fact]
    public async Task Blank_fields_keep_the_stored_secrets_and_the_page_never_gets_them_back()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.Enabled = false, "shop-user", Password, Word);

        await using var scope = store.Scope();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();

        var model = await factory.PrepareConfigurationModelAsync();
        Assert.Null(model.UserName);
        Assert.Null(model.Password);
        Assert.Null(model.MemorableWord);
        Assert.True(model.UserNameStored && model.PasswordStored && model.MemorableWordStored);

        // the admin changes only the memorable word and the mode
        model.MemorableWord = "crumpet";
        model.ModeId = (int)KashFlowMode.Live;
        var settings = await manager.LoadAsync();
        factory.ApplyConfigurationModel(model, settings);
        await manager.SaveAsync(settings);

        var reloaded = await manager.LoadAsync();
        Assert.Equal(KashFlowMode.Live, reloaded.Mode);
        Assert.Equal(new KashFlowCredentials("shop-user", Password, "crumpet"), manager.GetCredentials(reloaded));

        // a model re-prepared from a post (e.g. validation failed) drops what was typed
        var posted = new ConfigurationModel { Password = "typed-but-invalid", RulesJson = "{}" };
        var again = await factory.PrepareConfigurationModelAsync(posted);
        Assert.Null(again.Password);
    }

    [Fact]
    public async Task Typed_rule_fields_edit_the_rules_document_and_keep_unknown_members()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.RulesJson = """{"ProductCodes":{"MUG-CLASSIC":"MUG"},"Nominals":{"Sales":4000,"SkuOverrides":{"BOOK-UK-COOK":4010}}}""");
        await using var scope = store.Scope();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();

        var model = await factory.PrepareConfigurationModelAsync();
        Assert.Equal(4000, model.SalesNominal);
        model.ShippingNominal = 4900;
        model.InvoiceNumberOffset = 200000;
        model.CustomerCodeStrategy = "FromEmail";
        model.UseKashFlowNumbering = false;
        model.PaymentMethodMappings = [new PaymentMethodMappingModel { SystemName = "Payments.Manual", MethodId = 4, BankAccountId = 2 }, new PaymentMethodMappingModel()];
        var settings = await manager.LoadAsync();
        factory.ApplyConfigurationModel(model, settings);

        var rules = RulesDocument.Parse(settings.RulesJson);
        Assert.Equal(4000, rules.GetNominal("Sales"));
        Assert.Equal(4900, rules.GetNominal("Shipping"));
        Assert.Equal(200000, rules.InvoiceNumberOffset);
        Assert.False(rules.UseKashFlowNumbering);
        Assert.Equal("FromEmail", rules.CustomerCodeStrategy);
        Assert.Equal([new PaymentMethodRule("Payments.Manual", 4, 2)], rules.PaymentMethods);
        using var doc = System.Text.Json.JsonDocument.Parse(settings.RulesJson!);
        Assert.Equal("OrderIdPlusOffset", doc.RootElement.GetProperty("InvoiceNumber").GetProperty("Strategy").GetString());
        Assert.Equal(200000, doc.RootElement.GetProperty("InvoiceNumber").GetProperty("Offset").GetInt64());
        Assert.Equal("MUG", doc.RootElement.GetProperty("ProductCodes").GetProperty("MUG-CLASSIC").GetString());
        Assert.Equal(4010, doc.RootElement.GetProperty("Nominals").GetProperty("SkuOverrides").GetProperty("BOOK-UK-COOK").GetInt32());
    }

    [Fact]
    public async Task Policies_edit_the_rules_document_and_blank_keeps_the_engines_default()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        var manager = scope.ServiceProvider.GetRequiredService<KashFlowSettingsManager>();

        var model = await factory.PrepareConfigurationModelAsync();
        Assert.Equal(["", "Discount", "PaymentFromAccount"], model.AvailableRewardPointsPolicies.Select(o => o.Value));
        Assert.Equal(["", "Payment", "NegativeLine"], model.AvailableGiftCardPolicies.Select(o => o.Value));
        Assert.Equal(["", "DescriptionLine", "Refuse"], model.AvailableSkuLessItemPolicies.Select(o => o.Value));
        model.RewardPointsPolicy = "PaymentFromAccount";
        model.RewardPointsMethodId = 1;
        model.RewardPointsBankAccountId = 1;
        model.GiftCardPolicy = "NegativeLine";
        model.SkuLessItems = "Refuse";
        var settings = await manager.LoadAsync();
        factory.ApplyConfigurationModel(model, settings);

        var rules = RulesDocument.Parse(settings.RulesJson);
        Assert.Equal("PaymentFromAccount", rules.RewardPointsPolicy);
        Assert.Equal(new PaymentMethodRule(string.Empty, 1, 1), rules.RewardPointsPayment);
        Assert.Equal("NegativeLine", rules.GiftCardPolicy);
        Assert.Equal("Refuse", rules.SkuLessItems);
        Assert.True(RulesValidator.Validate(settings.RulesJson).Valid);

        // Shown again as saved; a blank choice removes the member, so the engine's default applies.
        await store.ConfigureAsync(s => s.RulesJson = settings.RulesJson);
        var again = await factory.PrepareConfigurationModelAsync();
        Assert.Equal(("PaymentFromAccount", (int?)1, (int?)1, "NegativeLine", "Refuse"),
            (again.RewardPointsPolicy, again.RewardPointsMethodId, again.RewardPointsBankAccountId, again.GiftCardPolicy, again.SkuLessItems));
        again.RewardPointsPolicy = again.GiftCardPolicy = again.SkuLessItems = "";
        again.RewardPointsMethodId = null;
        factory.ApplyConfigurationModel(again, settings);
        rules = RulesDocument.Parse(settings.RulesJson);
        Assert.Null(rules.RewardPointsPolicy);
        Assert.Null(rules.RewardPointsPayment);
        Assert.Null(rules.SkuLessItems);
    }

    [Fact]
    public void Every_policy_the_page_offers_is_one_the_engine_reads()
    {
        foreach (var (member, names) in new (string, IReadOnlyList<string>)[]
                 {
                     ("RewardPoints", KashFlowModelFactory.RewardPointsPolicies),
                     ("GiftCards", KashFlowModelFactory.GiftCardPolicies),
                 })
        {
            foreach (var name in names)
            {
                var json = "{\"" + member + "\":{\"Policy\":\"" + name + "\",\"Payment\":{\"MethodId\":1,\"BankAccountId\":1}}}";
                Assert.True(RulesValidator.Validate(json).Valid, $"{member}.Policy {name}");
            }
            Assert.False(RulesValidator.Validate("{\"" + member + "\":{\"Policy\":\"Sometimes\"}}").Valid);
        }
        foreach (var name in KashFlowModelFactory.SkuLessItemPolicies)
            Assert.True(RulesValidator.Validate($$"""{"SkuLessItems":"{{name}}"}""").Valid, name);
        Assert.False(RulesValidator.Validate("""{"SkuLessItems":"Never"}""").Valid);
        // The first name is the engine's default: what a fresh install's rules say.
        var doc = RulesDocument.Parse(RulesValidator.Validate(null).NormalizedRulesJson);
        Assert.Equal(
            (KashFlowModelFactory.RewardPointsPolicies[0], KashFlowModelFactory.GiftCardPolicies[0], KashFlowModelFactory.SkuLessItemPolicies[0]),
            (doc.RewardPointsPolicy, doc.GiftCardPolicy, doc.SkuLessItems));
    }

    [Fact]
    public async Task A_fresh_install_shows_the_engines_default_rules()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var model = await scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>().PrepareConfigurationModelAsync();
        // MappingRules::default() (core/src/mapping/rules.rs), as the engine reports them
        Assert.Equal(4000, model.SalesNominal);
        Assert.Equal(4900, model.ShippingNominal);
        Assert.Equal(4999, model.RoundingNominal);
        Assert.Equal(100000, model.InvoiceNumberOffset);
        Assert.False(model.UseKashFlowNumbering);
        Assert.Equal("FromCustomerId", model.CustomerCodeStrategy);
        Assert.Contains(model.PaymentMethodMappings, m => m is { SystemName: "Payments.Manual", MethodId: 4, BankAccountId: 2 });
        Assert.Contains(model.PaymentMethodMappings, m => m is { SystemName: "Payments.CheckMoneyOrder", MethodId: 2, BankAccountId: 1 });
    }

    [Fact]
    public async Task Rules_the_engine_refuses_are_not_saved_and_the_page_says_why()
    {
        await using var store = new TestStore();
        await store.ConfigureAsync(s => s.RequestsPerSecond = 7);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<Nop.Plugin.Misc.KashFlow.Controllers.KashFlowAdminController>();
        var model = new ConfigurationModel { RequestsPerSecond = 2, TimeoutSeconds = 30, RulesJson = """{"Nominals":{"Sales":4000},"NoSuchRule":true}""" };

        var view = Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.Configure(model));
        Assert.False(controller.ModelState.IsValid);
        Assert.Contains("NoSuchRule", string.Join(" ", controller.ModelState[nameof(ConfigurationModel.RulesJson)]!.Errors.Select(e => e.ErrorMessage)));
        Assert.Equal(7, (await store.Settings.LoadSettingAsync<KashFlowSettings>()).RequestsPerSecond);
        Assert.IsType<ConfigurationModel>(view.Model);
    }

    [Fact]
    public async Task Rules_that_are_not_a_json_object_are_refused()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        Assert.Throws<FormatException>(() => factory.ApplyConfigurationModel(new ConfigurationModel { RulesJson = "[1,2]" }, new KashFlowSettings()));
    }

    [Fact]
    public void Engine_configuration_carries_settings_and_secrets_in_the_contract_shape()
    {
        var settings = new KashFlowSettings { Mode = KashFlowMode.Live, Transport = KashFlowTransport.Rest, BaseUrl = "http://127.0.0.1:9", RequestsPerSecond = 3, PullStock = false, RulesJson = """{"InvoiceNumber":{"Offset":5}}""" };
        var json = EngineConfigBuilder.Build(settings, new KashFlowCredentials("u", "p", "w"), "/tmp/j.sqlite");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("/tmp/j.sqlite", root.GetProperty("JournalPath").GetString());
        Assert.Equal("Live", root.GetProperty("KashFlow").GetProperty("Mode").GetString());
        Assert.Equal("http://127.0.0.1:9", root.GetProperty("KashFlow").GetProperty("BaseUrl").GetString());
        Assert.Equal(3, root.GetProperty("KashFlow").GetProperty("RequestsPerSecond").GetInt32());
        Assert.Equal("w", root.GetProperty("KashFlow").GetProperty("MemorableWord").GetString());
        Assert.Equal("Rest", root.GetProperty("KashFlow").GetProperty("Transport").GetString());
        // SOAP: user name and API password only; a memorable word stored from REST days is not sent
        using var soap = System.Text.Json.JsonDocument.Parse(EngineConfigBuilder.Build(
            new KashFlowSettings { Mode = KashFlowMode.Live, Transport = KashFlowTransport.Soap, SoapUrl = " https://soap.example/api/service.asmx " },
            new KashFlowCredentials("u", "p", "w"), "j"));
        var soapKashFlow = soap.RootElement.GetProperty("KashFlow");
        Assert.Equal("Soap", soapKashFlow.GetProperty("Transport").GetString());
        Assert.Equal("https://soap.example/api/service.asmx", soapKashFlow.GetProperty("SoapUrl").GetString());
        Assert.Equal("p", soapKashFlow.GetProperty("Password").GetString());
        Assert.False(soapKashFlow.TryGetProperty("MemorableWord", out _));
        Assert.False(root.GetProperty("Steps").GetProperty("PullStock").GetBoolean());
        Assert.False(root.GetProperty("Steps").GetProperty("HoldPartialRefunds").GetBoolean());
        Assert.True(System.Text.Json.JsonDocument.Parse(EngineConfigBuilder.Build(new KashFlowSettings { HoldPartialRefunds = true }, new KashFlowCredentials("u", "p", "w"), "j"))
            .RootElement.GetProperty("Steps").GetProperty("HoldPartialRefunds").GetBoolean());
        Assert.Equal(5, root.GetProperty("Rules").GetProperty("InvoiceNumber").GetProperty("Offset").GetInt32());
    }
}
