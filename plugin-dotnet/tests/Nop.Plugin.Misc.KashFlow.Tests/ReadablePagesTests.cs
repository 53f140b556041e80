using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The admin pages in a shop admin's words (issue 19) and the transport choice on the Configure page
/// (issue 17): counts, worker, errors by the engine's codes, connection-test answers, the invoice view,
/// and that a store which spoke REST before the choice existed keeps REST.
/// </summary>
public partial class ReadablePagesTests
{
    private static TestStore StoreWithLocales()
    {
        var store = new TestStore();
        foreach (var (key, value) in KashFlowLocales.All)
            store.Localization.Resources[key] = value;
        return store;
    }

    private static KashFlowPhrases Phrases(TestStore store) => store.Scope().ServiceProvider.GetRequiredService<KashFlowPhrases>();

    private static readonly Regex ResourceKey = new(Regex.Escape(KashFlowDefaults.LocalePrefix + "."), RegexOptions.IgnoreCase);

    // ---- issue 17: the transport

    [Fact]
    public void A_fresh_install_speaks_SOAP_and_a_store_with_a_saved_login_keeps_REST()
    {
        Assert.Equal(KashFlowTransport.Soap, new KashFlowSettings().EffectiveTransport);
        // settings saved before the transport could be chosen (no Transport row): that store used REST
        Assert.Equal(KashFlowTransport.Rest, new KashFlowSettings { EncryptedUserName = "x", EncryptedPassword = "y", EncryptedMemorableWord = "z" }.EffectiveTransport);
        Assert.Equal(KashFlowTransport.Rest, new KashFlowSettings { EncryptedPassword = "y" }.EffectiveTransport);
        // a choice, once made, is what counts
        Assert.Equal(KashFlowTransport.Soap, new KashFlowSettings { Transport = KashFlowTransport.Soap, EncryptedMemorableWord = "z" }.EffectiveTransport);
    }

    [Fact]
    public async Task Install_chooses_SOAP_and_an_upgrade_pins_REST_for_a_saved_REST_configuration()
    {
        await using var store = new TestStore();
        await using var scope = store.Scope();
        var plugin = scope.ServiceProvider.GetRequiredService<KashFlowPlugin>();
        await plugin.InstallAsync();
        Assert.Equal(KashFlowTransport.Soap, (await store.Settings.LoadSettingAsync<KashFlowSettings>()).Transport);

        // an older install: REST login saved, no Transport
        await store.ConfigureAsync(s => { s.Transport = null; s.Enabled = true; s.Mode = KashFlowMode.Live; }, "shop", "pw", "word");
        await plugin.UpdateAsync("4.90.4", "4.90.5");
        var settings = await store.Settings.LoadSettingAsync<KashFlowSettings>();
        Assert.Equal(KashFlowTransport.Rest, settings.Transport);
        Assert.True(settings.Enabled);

        // the page shows REST, and saving the page as it came keeps REST and the memorable word
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();
        var model = await factory.PrepareConfigurationModelAsync();
        Assert.Equal((int)KashFlowTransport.Rest, model.TransportId);
        Assert.Equal(["Soap", "Rest"], model.AvailableTransports.Select(t => Enum.Parse<KashFlowTransport>(t.Value).ToString()));
        Assert.True(Assert.Single(model.AvailableTransports, t => t.Selected).Value == ((int)KashFlowTransport.Rest).ToString());
        factory.ApplyConfigurationModel(model, settings);
        Assert.Equal(KashFlowTransport.Rest, settings.Transport);
        var manager = scope.ServiceProvider.GetRequiredService<Services.KashFlowSettingsManager>();
        Assert.Equal("word", manager.GetCredentials(settings).MemorableWord);

        // a value the page never offers does not move it either
        model.TransportId = 7;
        factory.ApplyConfigurationModel(model, settings);
        Assert.Equal(KashFlowTransport.Rest, settings.Transport);

        // the admin switches to SOAP on purpose
        model.TransportId = (int)KashFlowTransport.Soap;
        model.SoapUrl = " https://securedwebapp.com/api/service.asmx ";
        factory.ApplyConfigurationModel(model, settings);
        Assert.Equal((KashFlowTransport.Soap, "https://securedwebapp.com/api/service.asmx"), (settings.Transport!.Value, settings.SoapUrl));
    }

    [Fact]
    public async Task Connection_test_failures_say_what_to_change_in_the_merchants_words()
    {
        await using var store = StoreWithLocales();
        var phrases = Phrases(store);
        async Task<ConnectionTestModel> Failed(string? code, KashFlowTransport transport) =>
            await phrases.ConnectionAsync(new ConnectionReport(false, "Live", null, $"KashFlow login failed ({code}): nope", null, 12)
                { Transport = transport.ToString(), ErrorCode = code }, transport);

        var soapPassword = await Failed("InvalidCredentials", KashFlowTransport.Soap);
        Assert.False(soapPassword.Ok);
        Assert.Contains("API password", soapPassword.Problem!.Summary);
        Assert.Contains("Settings → API settings", soapPassword.Problem.Summary);
        Assert.Contains("KashFlow login failed (InvalidCredentials): nope", soapPassword.Problem.Technical);
        Assert.Contains("memorable word", (await Failed("InvalidCredentials", KashFlowTransport.Rest)).Problem!.Summary);
        Assert.Contains("IP address", (await Failed("IpNotAllowed", KashFlowTransport.Soap)).Problem!.Summary);
        Assert.Contains("locked", (await Failed("AccountLocked", KashFlowTransport.Rest)).Problem!.Summary);
        Assert.Equal(KashFlowLocales.All[KashFlowLocales.ConnectionAdviceOther], (await Failed("SomethingNew", KashFlowTransport.Soap)).Problem!.Summary);
        Assert.Equal(KashFlowLocales.All[KashFlowLocales.ConnectionAdviceOther], (await Failed(null, KashFlowTransport.Soap)).Problem!.Summary);
    }

    [Fact]
    public async Task A_working_connection_test_lists_the_accounts_facts()
    {
        await using var store = StoreWithLocales();
        var report = new ConnectionReport(true, "Live", null, "Logged in", "Acme Ltd", 85)
        {
            Transport = "Soap",
            Facts = new AccountFacts("Acme Trading Ltd", null, "GBP", ["GBP", "EUR"], ["Current Account", "PayPal"]),
        };
        var test = await Phrases(store).ConnectionAsync(report, KashFlowTransport.Soap);
        Assert.True(test.Ok);
        Assert.Null(test.Problem);
        Assert.Equal(("Acme Trading Ltd", "GBP"), (test.CompanyName, test.HomeCurrency));
        Assert.Equal("KashFlow did not say", test.VatRegistration);
        Assert.Equal(["GBP", "EUR"], test.Currencies);
        Assert.Equal(["Current Account", "PayPal"], test.BankAccounts);
        Assert.Equal("SOAP API (recommended)", test.Transport);
        Assert.Equal("Not VAT registered: invoices will carry no VAT",
            (await Phrases(store).ConnectionAsync(report with { Facts = report.Facts with { VatRegistered = false } }, KashFlowTransport.Soap)).VatRegistration);
    }

    [Fact]
    public async Task A_wrong_SOAP_password_is_reported_by_its_code_by_the_real_engine()
    {
        // a sandbox KashFlow with its own login (another engine's in-process one), spoken to over SOAP
        await using var kashflow = new TestStore();
        await kashflow.ConfigureAsync(s => { s.Enabled = true; s.Mode = KashFlowMode.Sandbox; }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await kashflow.Host.EnsureStartedAsync(), kashflow.Host.LastStartError);
        var sandboxUrl = EngineDocuments.ParseConnectionReport(await kashflow.Host.Engine!.TestConnectionAsync()).BaseUrl;

        await using var store = StoreWithLocales();
        await store.ConfigureAsync(s => { s.Enabled = false; s.Mode = KashFlowMode.Sandbox; s.BaseUrl = sandboxUrl; s.Transport = KashFlowTransport.Soap; },
            "sandbox", "not-the-password");
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();

        var report = await controller.TestConnectionCoreAsync(CancellationToken.None);
        Assert.False(report.Ok, report.Message);
        Assert.Equal("Soap", report.Transport);
        Assert.Equal("InvalidCredentials", report.ErrorCode);
        Assert.DoesNotContain("not-the-password", report.Message);

        var view = Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.TestConnection());
        var model = Assert.IsType<ConfigurationModel>(view.Model);
        Assert.Contains("API password", model.ConnectionTest!.Problem!.Summary);
        Assert.DoesNotContain("not-the-password", JsonSerializer.Serialize(model));
        Assert.DoesNotMatch(ResourceKey, JsonSerializer.Serialize(model.ConnectionTest));
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Error" && n.Message.Contains("API password"));

        // the right API password: the account's facts
        await store.ConfigureAsync(_ => { }, password: "sandbox-password");
        var ok = Assert.IsType<ConfigurationModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.TestConnection()).Model).ConnectionTest!;
        Assert.True(ok.Ok, ok.Problem?.Technical);
        Assert.Equal("SOAP API (recommended)", ok.Transport);
        Assert.NotEmpty(ok.BankAccounts);
        Assert.NotEmpty(ok.Currencies);
    }

    [Fact]
    public async Task An_unreachable_KashFlow_is_reported_as_such()
    {
        await using var store = StoreWithLocales();
        await store.ConfigureAsync(s => { s.Mode = KashFlowMode.Live; s.Transport = KashFlowTransport.Soap; s.SoapUrl = "https://127.0.0.1:9/api/service.asmx"; s.TimeoutSeconds = 2; },
            "user", "pw");
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var test = Assert.IsType<ConfigurationModel>(Assert.IsType<Microsoft.AspNetCore.Mvc.ViewResult>(await controller.TestConnection()).Model).ConnectionTest!;
        Assert.False(test.Ok);
        Assert.Equal("KashFlowUnreachable", test.Problem!.Code);
        Assert.Contains("could not reach KashFlow", test.Problem.Summary);
    }

    // ---- issue 19: KashFlow's lists by name, with suggestions

    [Fact]
    public async Task KashFlows_lists_are_offered_by_name_with_suggestions_that_are_not_saved_until_the_admin_saves()
    {
        await using var store = StoreWithLocales();
        await store.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.Transport = KashFlowTransport.Soap;
            s.RulesJson = """{"PaymentMethods":{"Payments.CheckMoneyOrder":{"MethodId":2,"BankAccountId":1},"Payments.PayPalCommerce":{"MethodId":999,"BankAccountId":1}}}""";
        }, "sandbox", "sandbox-password", "kashflow");
        Assert.True(await store.Host.EnsureStartedAsync(), store.Host.LastStartError);
        await using var scope = store.Scope();
        var controller = scope.ServiceProvider.GetRequiredService<KashFlowAdminController>();
        var factory = scope.ServiceProvider.GetRequiredService<KashFlowModelFactory>();

        // before reading: ids, as before
        Assert.False((await factory.PrepareConfigurationModelAsync()).LookupsLoaded);

        Assert.IsType<Microsoft.AspNetCore.Mvc.RedirectToActionResult>(await controller.ReadLookups());
        Assert.Contains(store.Notifications.Notifications, n => n.Kind == "Success" && n.Message.StartsWith("KashFlow's lists are read", StringComparison.Ordinal));

        var model = await factory.PrepareConfigurationModelAsync();
        Assert.True(model.LookupsLoaded);
        var cheque = Assert.Single(model.PaymentMethodMappings, m => m.SystemName == "Payments.CheckMoneyOrder");
        // named, never bare ids; the saved choice stays selected
        Assert.All(cheque.MethodOptions.Skip(1), o => Assert.Matches(@"^\D.* \(\d+\)$", o.Text));
        Assert.Equal("2", Assert.Single(cheque.MethodOptions, o => o.Selected).Value);
        Assert.Equal("1", Assert.Single(cheque.BankAccountOptions, o => o.Selected).Value);
        // an id KashFlow does not list is kept and marked, so saving does not drop it
        var paypal = Assert.Single(model.PaymentMethodMappings, m => m.SystemName == "Payments.PayPalCommerce");
        Assert.Equal("999 (not in KashFlow's list)", Assert.Single(paypal.MethodOptions, o => o.Selected).Text);
        // where KashFlow Sync would choose otherwise it says so, without changing the choice
        Assert.False(paypal.MethodSuggestion!.Preselected);
        Assert.StartsWith("KashFlow Sync would choose PayPal", paypal.MethodSuggestion.Text);

        // an empty row of a new payment method: the suggestion is preselected and marked, the model itself unchanged
        model.PaymentMethodMappings.First(m => string.IsNullOrEmpty(m.SystemName)).SystemName = "Payments.PayPalStandard";
        var posted = await factory.PrepareConfigurationModelAsync(model);
        var row = Assert.Single(posted.PaymentMethodMappings, m => m.SystemName == "Payments.PayPalStandard");
        Assert.Null(row.MethodId);
        Assert.True(row.MethodSuggestion!.Preselected);
        Assert.Matches(@"^Suggested, not saved yet: PayPal \(\d+% sure: .+\)$", row.MethodSuggestion.Text);
        Assert.Equal(row.MethodSuggestion.Target, Assert.Single(row.MethodOptions, o => o.Selected).Value);
        // nominal codes by name, each role with the account's choice
        Assert.All(posted.NominalOptions[KashFlowModelFactory.Nominals.Sales].Skip(1), o => Assert.Matches(@"^\d+ \S", o.Text));
        Assert.DoesNotMatch(ResourceKey, JsonSerializer.Serialize(posted.PaymentMethodMappings.Select(m => new { m.MethodSuggestion, m.BankAccountSuggestion })));

        // and the invoice views name a payment's method and bank account
        var invoice = new MappedInvoice([new MappedInvoiceLine("Mug", 1, 10m, 20, "MUG") { VatAmount = 2m }])
        {
            PaymentLines = [new MappedPaymentLine("2026-05-20T00:00:00", 12m, 2, 1, null), new MappedPaymentLine("2026-05-20T00:00:00", 1m, 2, 424242, null)],
        };
        var payments = (await scope.ServiceProvider.GetRequiredService<KashFlowPhrases>().InvoiceAsync(invoice, null))!.Payments;
        Assert.Equal(["Cheque — Current Account", "payment method 2, bank account 424242"], payments.Select(p => p.Method));
    }

    // ---- issue 19: counts, worker, errors

    [Fact]
    public async Task The_status_line_is_in_words_without_engine_names()
    {
        await using var store = StoreWithLocales();
        var phrases = Phrases(store);
        var counts = new StatusCounts(1, 0, 0, 32, 27, 0, 60, 0, 0, 0, 0, "Closed");
        Assert.Equal("32 posted, 27 need attention, 1 waiting", await phrases.StatusLineAsync(counts));
        Assert.Equal("1 needs attention, 3 waiting, 2 being sent, 1 to check by hand in KashFlow, 1 credit note posted",
            await phrases.StatusLineAsync(new StatusCounts(2, 2, 1, 0, 1, 0, 6, 1, 1, 0, 0, "Closed")));
        Assert.Equal("No orders synced yet.", await phrases.StatusLineAsync(new StatusCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "Closed")));
        // a count a newer engine adds reads as words too
        var newer = EngineDocuments.ParseStatusCounts("""{"Pending":0,"InFlight":0,"Retrying":0,"Synced":2,"Failed":0,"Cancelled":0,"Total":2,"NeedsCreditNote":0,"OutcomesPending":0,"Circuit":"Closed","StockPullsQueued":3}""");
        var line = await phrases.StatusLineAsync(newer);
        Assert.Equal("2 posted, Stock pulls queued: 3", line);
        Assert.DoesNotContain("InFlight", line);
    }

    [Fact]
    public async Task The_active_worker_is_named_with_host_process_and_time()
    {
        await using var store = StoreWithLocales();
        var phrases = Phrases(store);
        var since = new DateTime(2026, 12, 6, 10, 2, 0, DateTimeKind.Utc);
        var worker = new ActiveWorker("WEB01:4312:1:a", "WEB01", 4312, since, since, since.AddMinutes(5), since.AddMinutes(6), true, 3, true);
        var (text, time, active) = await phrases.WorkerAsync(worker);
        Assert.Equal(("Syncing on WEB01 (process 4312) since {0}.", since, true), (text, time, active));
        Assert.Contains("only queues", (await phrases.WorkerAsync(worker with { ThisProcess = false })).Text);
        var (idle, until, _) = await phrases.WorkerAsync(worker with { Active = false });
        Assert.Equal(("Nothing is syncing right now. The last to sync was WEB01 (process 4312), until {0}.", since.AddMinutes(5)), (idle, until));
        Assert.Null((await phrases.WorkerAsync(null)).Text);

        var counts = EngineDocuments.ParseStatusCounts("""
            {"Pending":0,"InFlight":0,"Retrying":0,"Synced":0,"Failed":0,"Cancelled":0,"Total":0,"NeedsCreditNote":0,"OutcomesPending":0,"Circuit":"Closed",
             "ActiveWorker":{"Holder":"WEB01:4312:1:a","Host":"WEB01","ProcessId":4312,"ProcessStartedUtc":"2026-12-06T10:00:00Z","SinceUtc":"2026-12-06T10:02:00Z",
             "RenewedUtc":"2026-12-06T10:05:00Z","ExpiresUtc":"2026-12-06T10:06:00Z","Active":true,"Term":3}}
            """);
        Assert.Equal(("WEB01", 4312L, since), (counts.ActiveWorker!.Host, counts.ActiveWorker.ProcessId, counts.ActiveWorker.SinceUtc));
    }

    [Fact]
    public async Task Errors_are_phrased_by_code_with_the_engines_text_kept_and_unknown_codes_shown_raw()
    {
        await using var store = StoreWithLocales();
        var phrases = Phrases(store);
        var unmapped = await phrases.ProblemAsync(new EngineProblem("UnmappedPaymentMethod", "no mapping for Payments.CashOnDelivery", "PaymentMethodSystemName"));
        Assert.Equal(KashFlowLocales.All[KashFlowLocales.ErrorPrefix + "UnmappedPaymentMethod"], unmapped!.Summary);
        Assert.Equal("UnmappedPaymentMethod: no mapping for Payments.CashOnDelivery (PaymentMethodSystemName)", unmapped.Technical);
        Assert.True(unmapped.HasTechnical);

        var unknown = await phrases.ProblemAsync(new EngineProblem("BrandNewCode", "something new happened", null));
        Assert.Equal("something new happened", unknown!.Summary);
        Assert.Null(await phrases.ProblemAsync(null));
    }

    /// <summary>Every code the engine can put on a record (core/src: ErrorCode, the KashFlow stage's failure codes,
    /// Failure::dead, the engine's own ErrorDocs) has a merchant's phrasing.</summary>
    [Fact]
    public void Every_error_code_the_engine_reports_has_a_phrase()
    {
        var root = FixtureOrders.RepositoryRoot();
        string Read(string relative) => NonTest(File.ReadAllText(Path.Combine([root, .. relative.Split('/')])));
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        codes.UnionWith(EngineNamesTests.RustEnumVariants(Read("core/src/order/error.rs"), "ErrorCode"));
        Assert.Contains("UnmappedPaymentMethod", codes);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "core", "src", "sync"), "*.rs")
                     .Concat(Directory.GetFiles(Path.Combine(root, "core", "src", "engine"), "*.rs", SearchOption.AllDirectories)))
        {
            var text = NonTest(File.ReadAllText(file));
            foreach (Match m in CodeLiteral().Matches(text))
                codes.Add(m.Groups["c"].Value);
        }
        var failure = Read("core/src/sync/failure.rs");
        foreach (Match m in ArmLiteral().Matches(Function(failure, "retry_code") + Function(failure, "verdict") + Function(failure, "report_code")
                     + (Regex.IsMatch(failure, @"\bfn refusal_code\(") ? Function(failure, "refusal_code") : "")))
            codes.Add(m.Groups[1].Value);
        // what a preview finds missing in the KashFlow account (core/src/mapping/account_check.rs)
        var accountCheck = Path.Combine(root, "core", "src", "mapping", "account_check.rs");
        if (File.Exists(accountCheck))
            foreach (Match m in Regex.Matches(NonTest(File.ReadAllText(accountCheck)), @"code: ""([A-Za-z]+)"""))
                codes.Add(m.Groups[1].Value);
        Assert.Superset(new SortedSet<string> { "KashFlowRejected", "KashFlowUnreachable", "InvoiceNumberTaken", "RefundExceedsInvoice", "Interrupted", "Waiting", "KashFlowOutcomeUnknown" }, codes);
        var missing = codes.Where(c => !KashFlowLocales.All.ContainsKey(KashFlowLocales.ErrorPrefix + c)).ToList();
        Assert.True(missing.Count == 0, "no phrase for: " + string.Join(", ", missing));
    }

    /// <summary>The source without its unit-test module (whose codes are made up for the tests).</summary>
    private static string NonTest(string source) =>
        Regex.Match(source, @"#\[cfg\(test\)\]\s*mod tests\s*\{") is { Success: true } m ? source[..m.Index] : source;

    private static string Function(string source, string name)
    {
        var start = Regex.Match(source, @"\bfn " + Regex.Escape(name) + @"\(");
        Assert.True(start.Success, name);
        var next = Regex.Match(source[(start.Index + start.Length)..], @"\bfn ");
        return next.Success ? source.Substring(start.Index, start.Length + next.Index) : source[start.Index..];
    }

    // Failure::dead("Code", ...), ErrorDoc::new("Code", ...), const X_CODE: &str = "Code"
    [GeneratedRegex(@"(?:Failure::dead|ErrorDoc::new)\(\s*""(?<c>[A-Za-z]+)""|_CODE: &str = ""(?<c>[A-Za-z]+)""")]
    private static partial Regex CodeLiteral();

    [GeneratedRegex(@"=>\s*""([A-Za-z]+)""")]
    private static partial Regex ArmLiteral();

    // ---- issue 19: invoice view and the views themselves

    [Fact]
    public async Task The_invoice_view_shows_lines_VAT_per_rate_totals_and_payments_from_the_engines_figures()
    {
        await using var store = StoreWithLocales();
        var invoice = new MappedInvoice(
        [
            new MappedInvoiceLine("Mug", 2, 10.005m, 20, "MUG") { VatAmount = 4.00m },
            new MappedInvoiceLine("Book", 1, 8.00m, 0, "BOOK") { VatAmount = 0m },
            new MappedInvoiceLine("Shipping", 1, 4.16m, 20, null) { VatAmount = 0.83m },
            new MappedInvoiceLine("Gift card redeemed", 1, -5m, 0, null) { VatExempt = true },
        ])
        {
            Number = 101044,
            CustomerCode = "NOP000313",
            IssuedDate = "2026-05-20T00:00:00",
            Currency = new MappedCurrency("GBP", 1m),
            PaymentLines = [new MappedPaymentLine("2026-05-20T00:00:00", 20.00m, 5, 1200, "PayPal")],
        };
        var view = (await Phrases(store).InvoiceAsync(invoice, "{}"))!;
        Assert.Equal(101044, view.Number);
        Assert.Equal("2026-05-20", view.IssuedDate);
        // KashFlow's line net: round2(quantity × rate)
        Assert.Equal(["20.01", "8.00", "4.16", "-5.00"], view.Lines.Select(l => l.Net));
        Assert.Equal([("20%", "24.17", "4.83"), ("0%", "8.00", "0.00"), ("Exempt", "-5.00", "0.00")], view.VatByRate.Select(r => (r.Rate, r.Net, r.Vat)));
        Assert.Equal(("27.17", "4.83", "32.00", "20.00", "12.00"), (view.NetTotal, view.VatTotal, view.GrossTotal, view.PaidTotal, view.AmountDue));
        var payment = Assert.Single(view.Payments);
        Assert.Equal(("2026-05-20", "20.00", "payment method 5, bank account 1200"), (payment.Date, payment.Amount, payment.Method));
        Assert.DoesNotMatch(ResourceKey, JsonSerializer.Serialize(view));

        // a payment recorded after the invoice (a RecordPayment job that is done) is on it too
        using var payload = JsonDocument.Parse("""{"Amount":"12.0000","OrderId":1,"PaidDateUtc":"2026-05-21T10:00:00Z","PaymentMethodSystemName":"Payments.Manual"}""");
        JobEntry Job(string kind, string state) => new(1, kind, state, 1, null, false, null, payload.RootElement.Clone(), null, null);
        var later = (await Phrases(store).InvoiceAsync(invoice, null, [Job("RecordPayment", "Done"), Job("RecordPayment", "Queued"), Job("PostCreditNote", "Done")]))!;
        Assert.Equal(("32.00", "0.00"), (later.PaidTotal, later.AmountDue));
        Assert.Equal(("2026-05-21", "12.00", "Payments.Manual, recorded after the invoice"), (later.Payments[1].Date, later.Payments[1].Amount, later.Payments[1].Method));
        // with credit notes, what is left to pay is the credit notes' business
        Assert.Null((await Phrases(store).InvoiceAsync(invoice, null, [], hasCreditNotes: true))!.AmountDue);
    }

    [Fact]
    public void The_views_use_only_locale_resources_that_exist()
    {
        var views = Path.Combine(AppContext.BaseDirectory, "Views");
        var fields = typeof(KashFlowLocales).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .ToDictionary(f => f.Name, f => f.GetValue(null) as string);
        var used = 0;
        foreach (var file in Directory.GetFiles(views, "*.cshtml"))
        {
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"KashFlowLocales\.(\w+)"))
            {
                used++;
                Assert.True(fields.TryGetValue(m.Groups[1].Value, out var key), $"{Path.GetFileName(file)}: no KashFlowLocales.{m.Groups[1].Value}");
                Assert.True(KashFlowLocales.All.ContainsKey(key!), $"{Path.GetFileName(file)}: {key} has no text");
            }
        }
        Assert.True(used > 100, $"only {used} resources found in the views");
        // the raw engine names are gone from the pages
        var syncLog = File.ReadAllText(Path.Combine(views, "SyncLog.cshtml"));
        Assert.DoesNotContain("RenderBoolean", syncLog); // the red ✗ for "no" in "Check by hand"
        Assert.DoesNotContain("count.Key", syncLog + File.ReadAllText(Path.Combine(views, "Configure.cshtml")));
    }
}
