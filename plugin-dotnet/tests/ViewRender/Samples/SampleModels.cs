// Realistic models for the sample pages: from the plugin's own controller over a shop synced against the
// sandbox KashFlow (Sandbox*), from its model factory and phrases without an engine (Configure, problems,
// connection tests), or written as the factory would fill them from the engine's documents where a
// state is hard to reach in the sandbox (long errors, a failed credit note, a stopped engine).
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Plugin.Misc.KashFlow;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Services;
using ViewRender.Host;

namespace ViewRender.Samples;

public static class SampleModels
{
    private static readonly DateTime Now = new(2026, 11, 27, 14, 32, 10, DateTimeKind.Utc);

    private static string Text(string key) => KashFlowLocales.All[key];

    /// <summary>Configure after a working connection test, with KashFlow's lists read into named dropdowns.</summary>
    public static async Task<object> ConfigureConnectedAsync(SampleStore store)
    {
        var model = await store.Factory.PrepareConfigurationModelAsync();
        // the native library's state is this machine's; the sample shows a store where it loads
        model.NativeLibraryProblem = null;
        model.EngineRunning = true;
        model.NativeVersion = "0.9.0";
        model.StatusLine = "32 posted, 2 need attention, 1 waiting";
        model.ConnectionTest = await store.Phrases.ConnectionAsync(new ConnectionReport(true, "Live", null, "Logged in", "Acme Trading Ltd", 212)
        {
            Transport = "Soap",
            Facts = new AccountFacts("Acme Trading Ltd", true, "GBP", ["GBP", "EUR", "USD"], ["Current Account (1200)", "PayPal (1210)", "Stripe clearing (1220)"]),
        }, KashFlowTransport.Soap);
        model.LookupsLoaded = true;
        var methods = Options(("", ""), ("1", "Cash (1)"), ("2", "Cheque (2)"), ("5", "PayPal (5)"), ("7", "Card / Stripe (7)"));
        var banks = Options(("", ""), ("1200", "Current Account (1200)"), ("1210", "PayPal (1210)"), ("1220", "Stripe clearing (1220)"));
        foreach (var row in model.PaymentMethodMappings)
        {
            row.MethodOptions = methods;
            row.BankAccountOptions = banks;
        }
        if (model.PaymentMethodMappings.Count > 0)
        {
            var first = model.PaymentMethodMappings[0];
            first.SystemName = "Payments.PayPalCommerce";
            first.MethodSuggestion = new SuggestionModel("5", "Suggested, not saved yet: PayPal (93% sure: name match 'PayPal')", true);
            first.BankAccountSuggestion = new SuggestionModel("1210", "Suggested, not saved yet: PayPal (1210) (88% sure: the method's usual bank account)", true);
        }
        model.DefaultMethodOptions = methods;
        model.DefaultBankAccountOptions = banks;
        var nominals = Options(("", ""), ("4000", "4000 Sales - goods"), ("4010", "4010 Sales - shipping"), ("4009", "4009 Discounts allowed"),
            ("7901", "7901 Bank charges"), ("2210", "2210 Gift card liability"), ("4900", "4900 Rounding"));
        foreach (var role in new[] { "Sales", "Shipping", "Discounts", "PaymentFee", "GiftCard", "RewardPoints", "Rounding" })
            model.NominalOptions[role] = nominals;
        model.NominalSuggestions["Sales"] = new SuggestionModel("4000", "Suggested, not saved yet: 4000 Sales - goods (90% sure: the account's sales nominal)", true);
        model.NominalSuggestions["Shipping"] = new SuggestionModel("4010", "KashFlow Sync would choose 4010 Sales - shipping (76% sure: name match 'shipping')", false);
        return model;
    }

    /// <summary>Configure on a first visit: nothing stored, the engine off, a connection test that failed.</summary>
    public static async Task<object> ConfigureFirstVisitAsync(SampleStore store)
    {
        var model = await store.Factory.PrepareConfigurationModelAsync();
        model.NativeLibraryProblem = null;
        model.NativeVersion = "0.9.0";
        model.EngineRunning = false;
        model.DataFolderProblem = null;
        model.SpooledDocuments = 3;
        model.ConnectionTest = await store.Phrases.ConnectionAsync(new ConnectionReport(false, "Live", null,
            "KashFlow login failed (InvalidCredentials): Incorrect username or password", null, 341) { Transport = "Soap", ErrorCode = "InvalidCredentials" },
            KashFlowTransport.Soap);
        return model;
    }

    private static List<SelectListItem> Options(params (string Value, string Text)[] items) =>
        items.Select(i => new SelectListItem(i.Text, i.Value)).ToList();

    public static async Task<RenderRequest> SyncLogAsync(SampleStore store)
    {
        var model = new SyncRecordSearchModel
        {
            EngineRunning = true,
            StatusLine = "32 posted, 2 need attention, 1 waiting, 3 credit notes posted",
            Worker = "Syncing on WEB01 (process 4312) since {0}",
            WorkerTimeUtc = Now.AddHours(-3),
            WorkerActive = true,
            AvailableStates = Options(("", "All"), ("Synced", Text(KashFlowLocales.StatePrefix + "Synced")), ("Failed", Text(KashFlowLocales.StatePrefix + "Failed"))),
        };
        model.SetGridPageSize(15, "15, 50, 100");
        var unknownProduct = await store.Phrases.ProblemAsync(new EngineProblem("UnknownProduct",
            "while creating invoice 100229: KashFlow refused POST /invoices (HTTP 400, InvalidProductCode): ProductCode: no product with code MUG-BLUE-XL-2026-LIMITED-EDITION-GIFTBOX", "LineItems[2].ProductCode"));
        var rows = new List<SyncRecordModel>
        {
            Row(41, 100231, "Synced", 1, 10000231, "CUST0045", null, null, "10012301: 30.00 GBP on 2026-11-27"),
            Row(40, 100230, "Synced", 2, 10000230, "CUST0102", null, null, null),
            Row(39, 100229, "Failed", 5, null, "CUST0077", unknownProduct.Summary, unknownProduct.Technical, null),
            Row(38, 100228, "Pending", 0, null, null, null, null, null),
            Row(37, 100227, "Failed", 3, null, "CUST0012",
                Text(KashFlowLocales.ErrorPrefix + "UnmappedPaymentMethod"), "no KashFlow payment method for Payments.Braintree (PaymentMethods.Payments.Braintree)", null),
        };
        rows[1].NeedsCreditNote = true;
        return new RenderRequest(ViewHost.PluginViews + "SyncLog.cshtml", model, new Dictionary<string, object> { [GridRows.Key("kashflow-records-grid")] = rows });
    }

    private static SyncRecordModel Row(long id, long orderId, string state, int attempts, long? invoice, string customer, string summary, string technical, string creditNotes) => new()
    {
        Id = id,
        OrderId = orderId,
        CustomOrderNumber = orderId.ToString(CultureInfo.InvariantCulture),
        State = state,
        StateText = Text(KashFlowLocales.StatePrefix + state),
        Attempts = attempts,
        InvoiceNumber = invoice,
        CustomerCode = customer,
        LastErrorSummary = summary,
        LastError = technical,
        CreditNotes = creditNotes,
        UpdatedOnUtc = Now.AddMinutes(-id),
    };

    public static async Task<object> RecordDetailAsync(SampleStore store) => await RecordDetailModelAsync(store);

    /// <summary>An invoiced order with a partial refund waiting to be itemised and a credit note that failed.</summary>
    public static async Task<SyncRecordDetailModel> RecordDetailModelAsync(SampleStore store)
    {
        var problem = await store.Phrases.ProblemAsync(new EngineProblem("KashFlowRejected",
            "while posting credit note 2 of order 100231: KashFlow refused POST /creditnotes (HTTP 400, InvalidNominalCode): NominalCode: 4009 is archived", "CreditNotes[1]"));
        var record = Row(41, 100231, "Failed", 2, 10000231, "CUST0045", problem!.Summary, problem.Technical, "10012301: 30.00 GBP on 2026-11-27");
        record.NextAttemptUtc = Now.AddMinutes(20);
        record.CreditNoteList =
        [
            new CreditNoteModel { Seq = 1, Cause = EngineNames.CauseRefund, CauseText = Text(KashFlowLocales.CausePrefix + "Refund"), State = "Done", StateText = "Posted", Number = 10012301, Amount = "30.00", Date = "2026-11-27", Applied = "30.00", Refunded = "30.00" },
            new CreditNoteModel { Seq = 2, Cause = EngineNames.CauseRefund, CauseText = Text(KashFlowLocales.CausePrefix + "Refund"), State = EngineNames.JobHeld, StateText = "Waiting for you", Amount = "12.50", Date = "2026-11-27", Problem = problem },
        ];
        var invoice = Invoice();
        return new SyncRecordDetailModel
        {
            Record = record,
            Problem = problem,
            Timeline =
            [
                new TimelineEntryModel(Now.AddHours(-2), Text(KashFlowLocales.TimelinePlaced), "info"),
                new TimelineEntryModel(Now.AddHours(-2).AddSeconds(1), Text(KashFlowLocales.TimelineJournalled), "info"),
                new TimelineEntryModel(Now.AddHours(-2).AddSeconds(2), "Post the invoice to KashFlow: done", "ok")
                {
                    Calls = ["GET /customers?email=ada.lovelace@example.co.uk → 200, 84 ms", "POST /customers → 201, 133 ms", "POST /invoices → 201, 156 ms", "POST /invoices/10000231/payments → 201, 97 ms"],
                },
                new TimelineEntryModel(Now.AddMinutes(-10), "Post credit note 2: failed", "error") { Problem = problem, Calls = ["POST /creditnotes → 400, 121 ms"] },
                new TimelineEntryModel(null, "Now: Needs attention, KashFlow invoice 10000231", "warning"),
            ],
            Invoice = invoice,
            InvoiceLines =
            [
                new InvoiceLineModel(1, "The British Cookbook", "1", "18.00", "0", "BOOK-UK-COOK"),
                new InvoiceLineModel(2, "Loose Leaf Tea Tin", "2", "7.50", "20", "TEA-TIN"),
                new InvoiceLineModel(3, "Shipping (Royal Mail 48)", "1", "3.95", "20", null),
            ],
            DetailJson = invoice.Json,
            ReturnUrl = "/Admin/KashFlowAdmin/RecordDetail/41",
        };
    }

    public static InvoiceViewModel Invoice() => new()
    {
        Number = 10000231,
        CustomerCode = "CUST0045",
        CustomerName = "Ada Lovelace",
        CustomerReference = "nopCommerce order 100231",
        IssuedDate = "27/11/2026",
        DueDate = "27/12/2026",
        Currency = "GBP",
        Lines =
        [
            new InvoiceViewLine("The British Cookbook", "BOOK-UK-COOK", "1", "18.00", "18.00", "0%", "0.00"),
            new InvoiceViewLine("Loose Leaf Tea Tin: Earl Grey, 250 g [+£1.50]", "TEA-TIN", "2", "7.50", "15.00", "20%", "3.00"),
            new InvoiceViewLine("Shipping (Royal Mail 48)", null, "1", "3.95", "3.95", "20%", "0.79"),
        ],
        VatByRate = [new InvoiceVatRow("0%", "18.00", "0.00"), new InvoiceVatRow("20%", "18.95", "3.79")],
        NetTotal = "36.95",
        VatTotal = "3.79",
        GrossTotal = "40.74",
        Payments = [new InvoicePaymentRow("27/11/2026", "40.74", "PayPal — PayPal (1210)", "nopCommerce payment Payments.PayPalCommerce")],
        PaidTotal = "40.74",
        AmountDue = "0.00",
        Json = """
            {
              "InvoiceNumber": 10000231,
              "CustomerCode": "CUST0045",
              "LineItems": [ { "Description": "The British Cookbook", "Quantity": 1, "Rate": 18.00, "VatLevel": 0, "ProductCode": "BOOK-UK-COOK" } ]
            }
            """,
    };

    public static async Task<object> PreviewAsync(SampleStore store)
    {
        var unknown = await store.Phrases.ProblemAsync(new EngineProblem("UnknownProduct", "no KashFlow product with code MUG-BLUE", "LineItems[1].ProductCode"));
        return new PreviewModel
        {
            OrderNumber = "100229",
            OrderId = 100229,
            PreviewJson = Invoice().Json,
            PreviewOk = false,
            ProblemList = [unknown!],
            Problems = ["no KashFlow product with code MUG-BLUE (LineItems[1].ProductCode)"],
            CheckedAgainstAccount = true,
            Warnings = ["Shipping is posted as a line (no KashFlow product code)"],
            Invoice = Invoice() with { Number = null, Payments = [], PaidTotal = "0.00", AmountDue = "40.74" },
            SnapshotJson = """{ "SchemaVersion": 1, "OrderId": 100229, "CustomOrderNumber": "100229" }""",
        };
    }

    // ---- from the sandbox shop, through the plugin's controller

    private static T ViewModel<T>(IActionResult result) =>
        result is ViewResult { Model: T model } ? model : throw new InvalidOperationException($"the controller answered {result} without a {typeof(T).Name}");

    /// <summary>Configure after "Read KashFlow's lists" and "Test connection" against the sandbox.</summary>
    public static async Task<object> SandboxConfigureAsync(SampleStore store) =>
        ViewModel<ConfigurationModel>(await (await store.Sandbox()).Admin.TestConnection());

    public static async Task<RenderRequest> SandboxSyncLogAsync(SampleStore store)
    {
        var shop = await store.Sandbox();
        var model = ViewModel<SyncRecordSearchModel>(await shop.Admin.SyncLog());
        var list = (await shop.Admin.SyncRecordList(new SyncRecordSearchModel { Length = 15, Draw = "1" })) as JsonResult
            ?? throw new InvalidOperationException("SyncRecordList answered no JSON");
        var rows = ((SyncRecordListModel)list.Value!).Data;
        return new RenderRequest(ViewHost.PluginViews + "SyncLog.cshtml", model, new Dictionary<string, object> { [GridRows.Key("kashflow-records-grid")] = rows });
    }

    public static async Task<object> SandboxRecordDetailAsync(SampleStore store)
    {
        var shop = await store.Sandbox();
        return ViewModel<SyncRecordDetailModel>(await shop.Admin.RecordDetail(shop.RecordId(SandboxShop.InvoicedOrder)));
    }

    public static async Task<object> SandboxRefusedRecordAsync(SampleStore store)
    {
        var shop = await store.Sandbox();
        return ViewModel<SyncRecordDetailModel>(await shop.Admin.RecordDetail(shop.RecordId(SandboxShop.RefusedOrder)));
    }

    public static async Task<object> SandboxPreviewAsync(SampleStore store) =>
        ViewModel<PreviewModel>(await (await store.Sandbox()).Admin.Preview(SandboxShop.RefusedOrder.ToString(CultureInfo.InvariantCulture)));

    public static Task<object> BackfillAsync(SampleStore store) => Task.FromResult<object>(new BackfillList(Now.AddDays(-2), Now.AddHours(-1), true,
        [
            new BackfillOrder(100201, "100201", Now.AddDays(-2).AddHours(3), 54.90m),
            new BackfillOrder(100202, "100202", Now.AddDays(-1).AddHours(7), 129.00m),
            new BackfillOrder(100203, "100203", Now.AddHours(-5), 12.49m),
        ], false));

    public static async Task<object> OrderBlockAsync(SampleStore store)
    {
        var detail = await RecordDetailModelAsync(store);
        detail.ReturnUrl = "/Admin/Order/Edit/100231";
        return detail;
    }
}
