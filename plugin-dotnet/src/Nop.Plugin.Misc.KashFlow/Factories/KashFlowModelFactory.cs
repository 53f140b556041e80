// Prepares the admin models from the settings and the engine's documents, and turns a posted
// configuration model back into settings. Controllers stay thin; this is what the tests exercise.
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Services.Localization;
using Nop.Services.Orders;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Factories;

public class KashFlowModelFactory
{
    /// <summary>Names of the nominal-code members of the rules document, in page order.</summary>
    public static class Nominals
    {
        public const string Sales = "Sales";
        public const string Shipping = "Shipping";
        public const string Discounts = "Discounts";
        public const string PaymentFee = "PaymentFee";
        public const string GiftCard = "GiftCard";
        public const string RewardPoints = "RewardPoints";
        public const string Rounding = "Rounding";
    }

    /// <summary>Customer code strategies the engine knows.</summary>
    public static IReadOnlyList<string> CustomerCodeStrategies => EngineNames.CustomerCodeStrategies;

    // The engine's policy names (core/src/mapping/rules.rs, copied in EngineNames), first = the engine's default
    public static IReadOnlyList<string> RewardPointsPolicies => EngineNames.RewardPointsPolicies;
    public static IReadOnlyList<string> GiftCardPolicies => EngineNames.GiftCardPolicies;
    public static IReadOnlyList<string> SkuLessItemPolicies => EngineNames.SkuLessItemPolicies;

    private const int BlankPaymentRows = 2;

    private readonly AdminAreaSettings _adminAreaSettings;
    private readonly IKashFlowEngineHost _host;
    private readonly ILocalizationService _localizationService;
    private readonly IOrderService _orderService;
    private readonly KashFlowPhrases _phrases;
    private readonly KashFlowLookups _lookups;
    private readonly KashFlowSettingsManager _settingsManager;

    public KashFlowModelFactory(AdminAreaSettings adminAreaSettings, IKashFlowEngineHost host, ILocalizationService localizationService,
        IOrderService orderService, KashFlowSettingsManager settingsManager, KashFlowPhrases phrases, KashFlowLookups lookups)
    {
        _lookups = lookups;
        _phrases = phrases;
        _adminAreaSettings = adminAreaSettings;
        _host = host;
        _localizationService = localizationService;
        _orderService = orderService;
        _settingsManager = settingsManager;
    }

    public async Task<ConfigurationModel> PrepareConfigurationModelAsync(ConfigurationModel? posted = null)
    {
        var settings = await _settingsManager.LoadAsync();
        var credentials = _settingsManager.GetCredentials(settings);
        // the rules as the engine reads them, defaults filled in (the stored text if the engine cannot say)
        var rulesJson = posted?.RulesJson ?? settings.RulesJson;
        try
        {
            if (posted is null && RulesValidator.Validate(rulesJson).NormalizedRulesJson is { } normalized)
                rulesJson = normalized;
        }
        catch (Exception)
        {
            // native library unavailable: show what is stored
        }
        RulesDocument rules;
        try
        {
            rules = RulesDocument.Parse(rulesJson);
        }
        catch (Exception)
        {
            rules = RulesDocument.Parse(null);
        }

        var model = posted ?? new ConfigurationModel
        {
            Enabled = settings.Enabled,
            ModeId = (int)settings.Mode,
            TransportId = (int)settings.EffectiveTransport,
            BaseUrl = settings.BaseUrl,
            SoapUrl = settings.SoapUrl,
            RequestsPerSecond = settings.RequestsPerSecond,
            TimeoutSeconds = settings.TimeoutSeconds,
            SyncCustomers = settings.SyncCustomers,
            CreateInvoices = settings.CreateInvoices,
            RecordPayments = settings.RecordPayments,
            PullStock = settings.PullStock,
            HoldPartialRefunds = settings.HoldPartialRefunds,
            WebFarm = settings.WebFarm,
            PaymentMethodMappings = rules.PaymentMethods
                .Select(r => new PaymentMethodMappingModel { SystemName = r.SystemName, MethodId = r.MethodId, BankAccountId = r.BankAccountId })
                .ToList(),
            DefaultPaymentMethodId = rules.DefaultPaymentMethod?.MethodId,
            DefaultBankAccountId = rules.DefaultPaymentMethod?.BankAccountId,
            SalesNominal = rules.GetNominal(Nominals.Sales),
            ShippingNominal = rules.GetNominal(Nominals.Shipping),
            DiscountNominal = rules.GetNominal(Nominals.Discounts),
            PaymentFeeNominal = rules.GetNominal(Nominals.PaymentFee),
            GiftCardNominal = rules.GetNominal(Nominals.GiftCard),
            RewardPointsNominal = rules.GetNominal(Nominals.RewardPoints),
            RoundingNominal = rules.GetNominal(Nominals.Rounding),
            UseKashFlowNumbering = rules.UseKashFlowNumbering ?? false,
            InvoiceNumberOffset = rules.InvoiceNumberOffset,
            CustomerReferenceTemplate = rules.CustomerReferenceTemplate,
            CustomerCodeStrategy = rules.CustomerCodeStrategy,
            RewardPointsPolicy = rules.RewardPointsPolicy,
            RewardPointsMethodId = rules.RewardPointsPayment?.MethodId,
            RewardPointsBankAccountId = rules.RewardPointsPayment?.BankAccountId,
            GiftCardPolicy = rules.GiftCardPolicy,
            GiftCardMethodId = rules.GiftCardPayment?.MethodId,
            GiftCardBankAccountId = rules.GiftCardPayment?.BankAccountId,
            SkuLessItems = rules.SkuLessItems,
            RulesJson = rules.ToJson(indented: true),
        };

        // secrets never go back to the page, whatever was posted
        model.UserName = model.Password = model.MemorableWord = null;
        model.UserNameStored = credentials.UserName.Length > 0;
        model.PasswordStored = credentials.Password.Length > 0;
        model.MemorableWordStored = credentials.MemorableWord.Length > 0;

        while (model.PaymentMethodMappings.Count(m => string.IsNullOrWhiteSpace(m.SystemName)) < BlankPaymentRows)
            model.PaymentMethodMappings.Add(new PaymentMethodMappingModel());

        model.AvailableModes = new List<SelectListItem>();
        foreach (var m in Enum.GetValues<KashFlowMode>())
            model.AvailableModes.Add(new SelectListItem(await _localizationService.GetResourceAsync(KashFlowLocales.ModePrefix + m),
                ((int)m).ToString(CultureInfo.InvariantCulture), (int)m == model.ModeId));
        // SOAP first: the default and KashFlow's established API
        model.AvailableTransports = new List<SelectListItem>();
        foreach (var t in new[] { KashFlowTransport.Soap, KashFlowTransport.Rest })
            model.AvailableTransports.Add(new SelectListItem(await _localizationService.GetResourceAsync(KashFlowLocales.TransportPrefix + t),
                ((int)t).ToString(CultureInfo.InvariantCulture), (int)t == model.TransportId));
        model.AvailableCustomerCodeStrategies = await OptionsAsync("CustomerCode", CustomerCodeStrategies, model.CustomerCodeStrategy);
        model.AvailableRewardPointsPolicies = await OptionsAsync("RewardPoints", RewardPointsPolicies, model.RewardPointsPolicy);
        model.AvailableGiftCardPolicies = await OptionsAsync("GiftCards", GiftCardPolicies, model.GiftCardPolicy);
        model.AvailableSkuLessItemPolicies = await OptionsAsync("SkuLessItems", SkuLessItemPolicies, model.SkuLessItems);

        if (_lookups.Last is { } read)
            await PrepareLookupsAsync(model, read);

        var engine = _host.Engine;
        model.EngineRunning = engine is not null;
        // a store already syncing that never opened the wizard (set up before it existed) is not asked to start it
        model.SetupStep = settings.SetupFinished || (settings.Enabled && settings.SetupStep == 0) ? null : Math.Clamp(settings.SetupStep, 1, SetupSteps.Count);
        model.EngineError = _host.LastStartError;
        model.SpooledDocuments = SafeSpoolCount();
        model.NativeLibraryProblem = NativeLibraryStatus.Problem();
        model.NativeVersion = model.NativeLibraryProblem is null ? SafeNativeVersion() : "-";
        model.DataFolderProblem = _host.DataFolderError;
        if (engine is not null && SafeCounts(engine) is { } counts)
        {
            model.StatusCounts = counts.ToDictionary();
            model.StatusLine = await _phrases.StatusLineAsync(counts);
        }
        return model;
    }

    /// <summary>
    /// KashFlow's lists on the page: payment methods, bank accounts and nominal codes as named choices, and the
    /// engine's suggestion for each (kfs_suggest_mappings). A suggestion is preselected only where the field is
    /// empty, and marked; nothing is stored until the admin saves. A stored id KashFlow no longer lists stays
    /// selectable (marked), so saving never drops it.
    /// </summary>
    private async Task PrepareLookupsAsync(ConfigurationModel model, LookupsRead read)
    {
        var catalogue = read.Catalogue;
        model.LookupsLoaded = true;
        model.LookupsReadUtc = read.ReadUtc;
        var methods = (catalogue.PaymentMethods ?? []).Select(m => (Value: m.Id.ToString(CultureInfo.InvariantCulture), Text: $"{m.Name} ({m.Id})")).ToList();
        var banks = (catalogue.BankAccounts ?? []).Select(b => (Value: b.Id.ToString(CultureInfo.InvariantCulture), Text: $"{b.Name} ({b.Id})")).ToList();
        var nominals = (catalogue.Nominals ?? []).Select(n => (Value: n.Code.ToString(CultureInfo.InvariantCulture), Text: $"{n.Code} {n.Name}")).ToList();

        // no suggestions (native library unavailable): the named choices still stand
        var suggestions = MappingSuggester.TrySuggest(new SuggestStore(
            model.PaymentMethodMappings.Where(m => !string.IsNullOrWhiteSpace(m.SystemName))
                .Select(m => m.SystemName!.Trim()).Distinct().Select(n => new SuggestStorePaymentMethod(n, n)).ToList(),
            []), read.Json, out _);

        foreach (var row in model.PaymentMethodMappings)
        {
            var suggestion = string.IsNullOrWhiteSpace(row.SystemName) ? null
                : suggestions?.PaymentMethods?.FirstOrDefault(p => string.Equals(p.Method.Key, row.SystemName.Trim(), StringComparison.OrdinalIgnoreCase));
            (row.MethodOptions, row.MethodSuggestion) = await ChoicesAsync(methods, row.MethodId?.ToString(CultureInfo.InvariantCulture), suggestion?.Method);
            (row.BankAccountOptions, row.BankAccountSuggestion) = await ChoicesAsync(banks, row.BankAccountId?.ToString(CultureInfo.InvariantCulture), suggestion?.BankAccount);
        }
        (model.DefaultMethodOptions, model.DefaultMethodSuggestion) = await ChoicesAsync(methods, model.DefaultPaymentMethodId?.ToString(CultureInfo.InvariantCulture), null);
        (model.DefaultBankAccountOptions, model.DefaultBankAccountSuggestion) = await ChoicesAsync(banks, model.DefaultBankAccountId?.ToString(CultureInfo.InvariantCulture), null);

        foreach (var (field, list, value) in new[]
                 {
                     (nameof(model.RewardPointsMethodId), methods, model.RewardPointsMethodId),
                     (nameof(model.RewardPointsBankAccountId), banks, model.RewardPointsBankAccountId),
                     (nameof(model.GiftCardMethodId), methods, model.GiftCardMethodId),
                     (nameof(model.GiftCardBankAccountId), banks, model.GiftCardBankAccountId),
                 })
            model.OtherOptions[field] = (await ChoicesAsync(list, value?.ToString(CultureInfo.InvariantCulture), null)).Item1;

        var values = new Dictionary<string, int?>
        {
            [Nominals.Sales] = model.SalesNominal,
            [Nominals.Shipping] = model.ShippingNominal,
            [Nominals.Discounts] = model.DiscountNominal,
            [Nominals.PaymentFee] = model.PaymentFeeNominal,
            [Nominals.GiftCard] = model.GiftCardNominal,
            [Nominals.RewardPoints] = model.RewardPointsNominal,
            [Nominals.Rounding] = model.RoundingNominal,
        };
        foreach (var (role, value) in values)
        {
            var suggestion = suggestions?.Nominals?.FirstOrDefault(n => n.Key == role);
            var (options, suggested) = await ChoicesAsync(nominals, value?.ToString(CultureInfo.InvariantCulture), suggestion);
            model.NominalOptions[role] = options;
            if (suggested is not null)
                model.NominalSuggestions[role] = suggested;
        }
    }

    /// <summary>The choices of one field: blank first, KashFlow's list, the stored value kept (marked) when KashFlow no longer lists it.</summary>
    private async Task<(IList<SelectListItem>, SuggestionModel?)> ChoicesAsync(List<(string Value, string Text)> list, string? current, MappingSuggestion? suggestion)
    {
        SuggestionModel? suggested = null;
        if (suggestion is { Target: { Length: > 0 } target })
        {
            var text = string.Format(CultureInfo.CurrentCulture, await _localizationService.GetResourceAsync(KashFlowLocales.SuggestionText),
                suggestion.TargetLabel ?? target, suggestion.Confidence * 100, suggestion.Reason);
            if (current is null)
                suggested = new SuggestionModel(target, string.Format(CultureInfo.CurrentCulture, await _localizationService.GetResourceAsync(KashFlowLocales.SuggestionPreselected), text), true);
            else if (current != target)
                suggested = new SuggestionModel(target, string.Format(CultureInfo.CurrentCulture, await _localizationService.GetResourceAsync(KashFlowLocales.SuggestionOther), text), false);
        }
        var selected = current ?? suggested?.Target;
        var options = new List<SelectListItem> { new(string.Empty, string.Empty, selected is null) };
        options.AddRange(list.Select(i => new SelectListItem(i.Text, i.Value, i.Value == selected)));
        if (current is not null && list.All(i => i.Value != current))
            options.Add(new SelectListItem(string.Format(CultureInfo.CurrentCulture, await _localizationService.GetResourceAsync(KashFlowLocales.NotInKashFlow), current), current, true));
        return (options, suggested);
    }

    /// <summary>A connection test's answer for the page, phrased for the transport that was tested.</summary>
    public async Task<ConnectionTestModel> PrepareConnectionTestModelAsync(ConnectionReport report)
    {
        var settings = await _settingsManager.LoadAsync();
        return await _phrases.ConnectionAsync(report, settings.EffectiveTransport);
    }

    /// <summary>A select of the engine's names, each shown in words; the blank first option keeps the engine's default.</summary>
    private async Task<List<SelectListItem>> OptionsAsync(string list, IEnumerable<string> names, string? selected)
    {
        // The blank value leaves the choice to the engine's default; it still says so in words.
        var options = new List<SelectListItem>
        {
            new(await _localizationService.GetResourceAsync(KashFlowLocales.OptionDefault), string.Empty, string.IsNullOrEmpty(selected)),
        };
        foreach (var name in names)
            options.Add(new SelectListItem(await _phrases.WordAsync($"{KashFlowLocales.OptionPrefix}{list}.", name), name, name == selected));
        return options;
    }

    /// <summary>A payment method + bank account pair, or null (engine default) unless both are set.</summary>
    private static PaymentMethodRule? Payment(int? methodId, int? bankAccountId) =>
        methodId is > 0 && bankAccountId is > 0 ? new PaymentMethodRule(string.Empty, methodId.Value, bankAccountId.Value) : null;

    /// <summary>
    /// Copies a posted model onto the settings: typed rule fields are written into the rules document
    /// (after any edits made to its JSON text), blank credentials keep the stored ones.
    /// Throws FormatException when the rules JSON is not a JSON object.
    /// </summary>
    public void ApplyConfigurationModel(ConfigurationModel model, KashFlowSettings settings)
    {
        var rules = RulesDocument.Parse(model.RulesJson);
        rules.PaymentMethods = model.PaymentMethodMappings
            .Where(m => !string.IsNullOrWhiteSpace(m.SystemName) && m.MethodId is > 0 && m.BankAccountId is > 0)
            .Select(m => new PaymentMethodRule(m.SystemName!.Trim(), m.MethodId!.Value, m.BankAccountId!.Value))
            .ToList();
        rules.DefaultPaymentMethod = model.DefaultPaymentMethodId is > 0 && model.DefaultBankAccountId is > 0
            ? new PaymentMethodRule(string.Empty, model.DefaultPaymentMethodId.Value, model.DefaultBankAccountId.Value)
            : null;
        rules.SetNominal(Nominals.Sales, model.SalesNominal);
        rules.SetNominal(Nominals.Shipping, model.ShippingNominal);
        rules.SetNominal(Nominals.Discounts, model.DiscountNominal);
        rules.SetNominal(Nominals.PaymentFee, model.PaymentFeeNominal);
        rules.SetNominal(Nominals.GiftCard, model.GiftCardNominal);
        rules.SetNominal(Nominals.RewardPoints, model.RewardPointsNominal);
        rules.SetNominal(Nominals.Rounding, model.RoundingNominal);
        rules.UseKashFlowNumbering = model.UseKashFlowNumbering;
        rules.InvoiceNumberOffset = model.InvoiceNumberOffset;
        rules.CustomerReferenceTemplate = string.IsNullOrWhiteSpace(model.CustomerReferenceTemplate) ? null : model.CustomerReferenceTemplate.Trim();
        rules.CustomerCodeStrategy = string.IsNullOrWhiteSpace(model.CustomerCodeStrategy) ? null : model.CustomerCodeStrategy;
        rules.RewardPointsPolicy = string.IsNullOrWhiteSpace(model.RewardPointsPolicy) ? null : model.RewardPointsPolicy;
        rules.RewardPointsPayment = Payment(model.RewardPointsMethodId, model.RewardPointsBankAccountId);
        rules.GiftCardPolicy = string.IsNullOrWhiteSpace(model.GiftCardPolicy) ? null : model.GiftCardPolicy;
        rules.GiftCardPayment = Payment(model.GiftCardMethodId, model.GiftCardBankAccountId);
        rules.SkuLessItems = string.IsNullOrWhiteSpace(model.SkuLessItems) ? null : model.SkuLessItems;

        settings.Enabled = model.Enabled;
        settings.Mode = Enum.IsDefined(typeof(KashFlowMode), model.ModeId) ? (KashFlowMode)model.ModeId : KashFlowMode.Sandbox;
        // an unknown value keeps the transport in force: a saved REST configuration never switches by accident
        settings.Transport = Enum.IsDefined(typeof(KashFlowTransport), model.TransportId) ? (KashFlowTransport)model.TransportId : settings.EffectiveTransport;
        settings.BaseUrl = string.IsNullOrWhiteSpace(model.BaseUrl) ? null : model.BaseUrl.Trim();
        settings.SoapUrl = string.IsNullOrWhiteSpace(model.SoapUrl) ? null : model.SoapUrl.Trim();
        settings.RequestsPerSecond = Math.Clamp(model.RequestsPerSecond, 1, 100);
        settings.TimeoutSeconds = Math.Clamp(model.TimeoutSeconds, 1, 600);
        settings.SyncCustomers = model.SyncCustomers;
        settings.CreateInvoices = model.CreateInvoices;
        settings.RecordPayments = model.RecordPayments;
        settings.PullStock = model.PullStock;
        settings.HoldPartialRefunds = model.HoldPartialRefunds;
        settings.WebFarm = model.WebFarm;
        settings.RulesJson = rules.ToJson();
        _settingsManager.SetCredentials(settings, model.UserName, model.Password, model.MemorableWord);
    }

    public async Task<SyncRecordSearchModel> PrepareSyncLogModelAsync()
    {
        var search = new SyncRecordSearchModel();
        search.SetGridPageSize(_adminAreaSettings.DefaultGridPageSize > 0 ? _adminAreaSettings.DefaultGridPageSize : 15, _adminAreaSettings.GridPageSizes);
        search.AvailableStates = new List<SelectListItem> { new(await _localizationService.GetResourceAsync(KashFlowLocales.AllStates), string.Empty) };
        foreach (var state in EngineNames.RecordStates)
            search.AvailableStates.Add(new SelectListItem(await _phrases.StateAsync(state), state));
        var engine = _host.Engine;
        search.EngineRunning = engine is not null;
        var counts = engine is null ? null : SafeCounts(engine);
        search.StatusCounts = counts?.ToDictionary() ?? new Dictionary<string, long>();
        if (counts is not null)
        {
            search.StatusLine = await _phrases.StatusLineAsync(counts);
            (search.Worker, search.WorkerTimeUtc, search.WorkerActive) = await _phrases.WorkerAsync(counts.ActiveWorker);
        }
        // a web farm: which node syncs (only that one runs the engine)
        FarmNodeStatus? farm = null;
        try
        {
            farm = await _host.FarmStatusAsync();
        }
        catch (Exception)
        {
            // the store database did not answer: the page still shows what the engine knows
        }
        (search.FarmNode, search.FarmTimeUtc) = await _phrases.FarmNodeAsync(farm, FarmLease.Expiry);
        search.FarmOtherNodeSyncs = farm is { ThisNodeActive: false, ActiveNode: not null };
        // the engine's breaker states (Closed/Open/HalfOpen) read as faults to a merchant: say what they mean
        search.Circuit = (engine is null ? null : SafeCircuit(engine)) switch
        {
            EngineNames.CircuitClosed => await _localizationService.GetResourceAsync(KashFlowLocales.CircuitClosed),
            EngineNames.CircuitOpen => await _localizationService.GetResourceAsync(KashFlowLocales.CircuitOpen),
            EngineNames.CircuitHalfOpen => await _localizationService.GetResourceAsync(KashFlowLocales.CircuitHalfOpen),
            var other => other,
        };
        return search;
    }

    /// <summary>One grid page (the engine pages and filters; the order number is matched as a substring).</summary>
    public async Task<SyncRecordListModel> PrepareSyncRecordListModelAsync(SyncRecordSearchModel search)
    {
        var engine = _host.Engine ?? throw new InvalidOperationException(await _localizationService.GetResourceAsync(KashFlowLocales.EngineNotRunning));
        var length = search.Length > 0 ? search.Length : 15;
        var query = new RecordQuery(
            string.IsNullOrWhiteSpace(search.SearchState) ? [] : [search.SearchState],
            search.SearchCreatedFrom?.Date,
            search.SearchCreatedTo?.Date.AddDays(1),
            search.SearchOrderNumber,
            Math.Max(0, search.Start) / length + 1,
            length);
        var page = EngineDocuments.ParseRecordPage(engine.ListRecordsJson(query.ToJson()));
        var total = (int)Math.Min(int.MaxValue, page.Total);
        var rows = new List<SyncRecordModel>();
        foreach (var item in page.Items)
            rows.Add(await PhrasedAsync(item));
        return new SyncRecordListModel
        {
            Data = rows,
            Draw = search.Draw,
            RecordsFiltered = total,
            RecordsTotal = total,
        };
    }

    /// <summary>The record of one nopCommerce order (for its order page), or null when the engine has none.</summary>
    public async Task<SyncRecordDetailModel?> PrepareOrderRecordModelAsync(int orderId)
    {
        if (_host.Engine is not { } engine)
            return null;
        var query = new RecordQuery([], null, null, null, 1, 1, [orderId]);
        var row = EngineDocuments.ParseRecordPage(engine.ListRecordsJson(query.ToJson())).Items.FirstOrDefault();
        return row is null ? null : await PrepareRecordDetailModelAsync(row.RecordId);
    }

    /// <summary>Null when the engine has no such record.</summary>
    public async Task<SyncRecordDetailModel?> PrepareRecordDetailModelAsync(long recordId)
    {
        var engine = _host.Engine ?? throw new InvalidOperationException("The sync engine is not running.");
        string json;
        try
        {
            json = engine.RecordDetailJson(recordId);
        }
        catch (KashFlowNativeException ex) when (ex.Code == EngineNames.ErrorNotFound)
        {
            return null;
        }
        var detail = EngineDocuments.ParseRecordDetail(json);
        string? invoiceJson = null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("MappedInvoice", out var mapped) && mapped.ValueKind == System.Text.Json.JsonValueKind.Object)
                invoiceJson = EngineDocuments.Indent(mapped.GetRawText());
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new SyncRecordDetailModel
        {
            Record = await PhrasedAsync(detail.Record),
            Problem = await _phrases.ProblemAsync(detail.Record.LastError),
            Timeline = await _phrases.TimelineAsync(detail),
            Invoice = await _phrases.InvoiceAsync(detail.MappedInvoice, invoiceJson, detail.Jobs, detail.Record.CreditNoteList.Count > 0),
            DetailJson = EngineDocuments.Indent(json),
            InvoiceLines = EngineDocuments.InvoiceLines(detail),
        };
    }

    /// <param name="previewElsewhere">Where the preview comes from when the engine is not running (the setup wizard, before
    /// sync is on: a short-lived engine); without it the page says the engine is not running.</param>
    public async Task<PreviewModel> PreparePreviewModelAsync(string? orderNumber, IOrderSnapshotBuilder snapshotBuilder,
        Func<string, Task<string>>? previewElsewhere = null)
    {
        var model = new PreviewModel { OrderNumber = orderNumber };
        if (string.IsNullOrWhiteSpace(orderNumber))
            return model;
        var order = await ResolveOrderAsync(orderNumber);
        if (order is null)
        {
            model.Error = string.Format(CultureInfo.CurrentCulture, await _localizationService.GetResourceAsync(KashFlowLocales.OrderNotFound), orderNumber);
            return model;
        }
        model.OrderId = order.Id;
        var snapshot = await snapshotBuilder.BuildJsonAsync(order);
        model.SnapshotJson = EngineDocuments.Indent(snapshot);
        var engine = _host.Engine;
        if (engine is null && previewElsewhere is null)
        {
            model.Error = await _localizationService.GetResourceAsync(KashFlowLocales.EngineNotRunning);
            return model;
        }
        try
        {
            var json = engine is not null ? engine.PreviewJson(snapshot) : await previewElsewhere!(snapshot);
            var preview = EngineDocuments.ParsePreview(json);
            model.PreviewJson = EngineDocuments.Indent(json);
            model.PreviewOk = preview.Ok;
            model.CheckedAgainstAccount = preview.CheckedAgainstAccount;
            model.Problems = (preview.Errors ?? []).Select(e => e.ToString()).ToList();
            foreach (var error in preview.Errors ?? [])
                model.ProblemList.Add((await _phrases.ProblemAsync(error))!);
            string? invoiceJson = null;
            using (var doc = System.Text.Json.JsonDocument.Parse(json))
                if (doc.RootElement.TryGetProperty("Invoice", out var invoice) && invoice.ValueKind == System.Text.Json.JsonValueKind.Object)
                    invoiceJson = EngineDocuments.Indent(invoice.GetRawText());
            model.Invoice = await _phrases.InvoiceAsync(preview.Invoice, invoiceJson);
            model.Warnings = (preview.Warnings ?? []).ToList();
            model.Lines = (preview.Invoice?.Lines ?? []).Select(l => l.ToColumns()).ToList();
        }
        catch (KashFlowNativeException ex)
        {
            // the snapshot itself was refused (e.g. a required member missing): the engine says which
            model.Error = ex.Path is null ? ex.Message : $"{ex.Message} ({ex.Path})";
        }
        return model;
    }

    /// <summary>Custom order number first (what the admin sees), then the numeric id.</summary>
    public async Task<Order?> ResolveOrderAsync(string orderNumber)
    {
        var text = orderNumber.Trim();
        var order = await _orderService.GetOrderByCustomOrderNumberAsync(text);
        if (order is null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            order = await _orderService.GetOrderByIdAsync(id);
        return order is { Deleted: false } ? order : null;
    }

    /// <summary>A grid row / the record: the engine's names kept, the state and last error in words beside them.</summary>
    private async Task<SyncRecordModel> PhrasedAsync(RecordSummary r)
    {
        var model = ToModel(r);
        model.StateText = await _phrases.StateAsync(r.State);
        var problem = await _phrases.ProblemAsync(r.LastError);
        model.LastErrorSummary = problem?.Summary;
        model.LastErrorCode = problem?.Code;
        var lines = new List<string>();
        foreach (var (note, c) in r.CreditNoteList.Zip(model.CreditNoteList))
        {
            c.CauseText = await _phrases.WordAsync(KashFlowLocales.CausePrefix, c.Cause);
            c.StateText = await _phrases.WordAsync(KashFlowLocales.JobStatePrefix, c.State);
            c.Problem = await _phrases.ProblemAsync(note.LastError);
            lines.Add(note.IsPosted ? note.ToString()
                : $"{c.CauseText} {c.Seq}: {c.StateText}{(c.Problem is null ? "" : " — " + c.Problem.Summary)}");
        }
        if (lines.Count > 0)
            model.CreditNotes = string.Join("; ", lines);
        return model;
    }

    private static SyncRecordModel ToModel(RecordSummary r) => new()
    {
        Id = r.RecordId,
        OrderId = r.OrderId,
        CustomOrderNumber = r.CustomOrderNumber,
        State = r.State,
        Attempts = r.Attempts,
        InvoiceNumber = r.InvoiceNumber,
        CustomerCode = r.CustomerCode,
        LastError = r.LastError?.ToString(),
        NeedsCreditNote = r.NeedsCreditNote,
        CreditNoteReason = r.CreditNoteReason,
        CreditNotes = r.CreditNoteList is { Count: > 0 } notes ? string.Join("; ", notes.Select(n => n.ToString())) : null,
        CreditNoteList = r.CreditNoteList.Select(n => new CreditNoteModel
        {
            Seq = n.Seq,
            Cause = n.Cause,
            State = n.State,
            Number = n.Posted?.Number,
            Amount = n.Posted is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p.Amount:0.00} {p.Currency}")
                : n.RequestedAmount is { } q ? string.Create(CultureInfo.InvariantCulture, $"{q:0.00}") : null,
            Date = n.Posted?.Date ?? n.DateUtc?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Applied = n.Posted is { } pa ? string.Create(CultureInfo.InvariantCulture, $"{pa.Applied:0.00}") : null,
            Refunded = n.Posted is { } pr ? string.Create(CultureInfo.InvariantCulture, $"{pr.Refunded:0.00}") : null,
            LastError = n.LastError?.ToString(),
        }).ToList(),
        CreatedOnUtc = r.CreatedUtc,
        UpdatedOnUtc = r.UpdatedUtc,
        NextAttemptUtc = r.NextAttemptUtc,
    };

    private static StatusCounts? SafeCounts(KashFlowEngine engine)
    {
        try
        {
            return EngineDocuments.ParseStatusCounts(engine.StatusCountsJson());
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static string? SafeCircuit(KashFlowEngine engine)
    {
        try
        {
            return EngineDocuments.ParseStatusCounts(engine.StatusCountsJson()).Circuit;
        }
        catch (Exception)
        {
            return null;
        }
    }

    // the spool folder may be unreadable (App_Data permissions): the page still opens and says why
    private int SafeSpoolCount()
    {
        try
        {
            return _host.Spool.List().Count;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    private static string SafeNativeVersion()
    {
        try
        {
            return KashFlowEngine.NativeVersion;
        }
        catch (Exception)
        {
            return "-";
        }
    }
}
