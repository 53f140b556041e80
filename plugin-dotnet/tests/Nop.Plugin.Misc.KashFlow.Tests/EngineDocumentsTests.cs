using System.Text.Json;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Domain;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>The engine's documents as typed records: what a newer engine may add is tolerated and shown as it comes.</summary>
public class EngineDocumentsTests
{
    [Fact]
    public void A_record_page_with_names_this_plugin_does_not_know_is_read_and_shows_them_raw()
    {
        const string json = """
            {"Items":[{"RecordId":7,"OrderId":42,"CustomOrderNumber":"A-42","State":"Parked","OrderCreatedUtc":null,
              "CreatedUtc":"2026-05-01T10:00:00.123Z","UpdatedUtc":"2026-05-01T11:00:00+01:00","NextAttemptUtc":null,"Attempts":2,
              "LastError":{"Code":"SomethingNew","Message":"the engine learnt a new failure","Path":"Items[0]"},
              "InvoiceNumber":100042,"CustomerCode":"NOP000001","NeedsCreditNote":false,"CreditNoteReason":null,
              "CreditNotes":[{"Seq":1,"Cause":"Chargeback","State":"Escalated","RequestedAmount":"5.50","DateUtc":null,"Posted":null,"LastError":null}],
              "FutureMember":{"Anything":[1,2,3]}}],
             "Total":1,"Page":1,"PageSize":50,"AlsoNew":true}
            """;
        var page = EngineDocuments.ParseRecordPage(json);
        var row = Assert.Single(page.Items);
        Assert.Equal(("Parked", 2, 100042L), (row.State, row.Attempts, row.InvoiceNumber));
        Assert.DoesNotContain(row.State, EngineNames.RecordStates);
        Assert.Equal("the engine learnt a new failure (Items[0])", row.LastError!.ToString());
        // times are UTC whatever offset the engine wrote them with
        Assert.Equal(new DateTime(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc), row.UpdatedUtc);
        Assert.Equal(DateTimeKind.Utc, row.CreatedUtc!.Value.Kind);
        var note = Assert.Single(row.CreditNoteList);
        Assert.Equal((5.50m, false), (note.RequestedAmount, note.IsPosted));
        Assert.Equal("chargeback 1: Escalated", note.ToString());
    }

    [Fact]
    public void Status_counts_and_a_circuit_state_this_plugin_does_not_know_are_read()
    {
        var counts = EngineDocuments.ParseStatusCounts("""
            {"Pending":1,"InFlight":0,"Retrying":2,"Synced":3,"Failed":4,"Cancelled":0,"Total":10,"NeedsCreditNote":0,
             "OutcomesPending":5,"Circuit":"Tripped","Parked":9}
            """);
        Assert.Equal("Tripped", counts.Circuit);
        Assert.Equal((4L, 10L, 5L, 0L), (counts.Failed, counts.Total, counts.OutcomesPending, counts.CreditNotesPosted));
        Assert.Equal(4, counts.ToDictionary()["Failed"]);
        Assert.Equal(9, counts.ToDictionary()["Parked"]); // a count a newer engine adds is listed as it came
    }

    [Fact]
    public void A_preview_with_a_line_kind_this_plugin_does_not_know_lists_it_raw()
    {
        var preview = EngineDocuments.ParsePreview("""
            {"OrderId":5,"CustomOrderNumber":"5","Ok":true,"Requests":[{"Method":"POST"}],"Errors":[],"Warnings":["w"],
             "JournalState":"Parked","JournalInvoiceNumber":null,
             "Invoice":{"Lines":[{"Kind":"Surcharge","Description":"Card fee","Quantity":1,"Rate":"0.50","VatRate":20,"VatAmount":0.1,
               "VatExempt":false,"NominalCode":4000,"ProductCode":null,"Sku":null,"Source":"Fees[0]","Colour":"red"}],"Customer":{}}}
            """);
        var line = Assert.Single(preview.Invoice!.Lines!).ToColumns();
        Assert.Equal(("Surcharge", "0.50", "Fees[0]"), (line["Kind"], line["Rate"], line["Source"]));
        Assert.Equal("red", line["Colour"]); // a member a newer engine adds is listed as it came
        Assert.Equal("Parked", preview.JournalState);
        Assert.Equal(["w"], preview.Warnings!);
    }

    [Fact]
    public void A_document_that_is_not_the_engines_is_a_format_error_not_a_crash_of_another_kind()
    {
        Assert.Throws<FormatException>(() => EngineDocuments.ParseRecordPage("[1,2]"));
        Assert.Throws<FormatException>(() => EngineDocuments.ParseConnectionReport("not json"));
        Assert.Equal("not json", EngineDocuments.Indent("not json"));
    }

    [Fact]
    public void The_record_query_and_the_release_event_are_written_as_the_engine_reads_them()
    {
        var query = new RecordQuery(["Failed"], new DateTime(2026, 5, 1), null, "  A-1 ", 0, 9999, [3, 4]).ToJson();
        Assert.Equal("""{"States":["Failed"],"FromUtc":"2026-05-01T00:00:00Z","Search":"A-1","OrderIds":[3,4],"Page":1,"PageSize":500}""", query);
        var release = EngineDocuments.CreditNoteRelease(42, 2, [(1, 1.5m)], true);
        using var doc = JsonDocument.Parse(release);
        Assert.Equal(EngineNames.CreditNoteRelease, doc.RootElement.GetProperty("Kind").GetString());
        Assert.Equal("1.5", doc.RootElement.GetProperty("Items")[0].GetProperty("Quantity").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("Seq").GetInt32());
    }

    [Fact]
    public void The_engine_configuration_never_shows_the_secrets_when_printed()
    {
        var settings = new KashFlowSettings { Mode = KashFlowMode.Sandbox, RulesJson = """{"SkuLessItems":"Refuse"}""" };
        var json = EngineConfigBuilder.Build(settings, new KashFlowCredentials("user", "pw-secret-1", "word-secret-2"), "/tmp/j.sqlite");
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("pw-secret-1", doc.RootElement.GetProperty("KashFlow").GetProperty("Password").GetString());
        Assert.Equal("Refuse", doc.RootElement.GetProperty("Rules").GetProperty("SkuLessItems").GetString());
        var printed = new EngineConfigDocument
        {
            JournalPath = "j",
            KashFlow = new KashFlowConnectionDocument { Mode = "Sandbox", UserName = "user", Password = "pw-secret-1", MemorableWord = "word-secret-2" },
        }.ToString();
        Assert.DoesNotContain("pw-secret-1", printed);
        Assert.DoesNotContain("word-secret-2", printed);
        Assert.Contains("user", printed);
    }

    [Fact]
    public void The_rules_window_keeps_members_it_does_not_edit()
    {
        var rules = RulesDocument.Parse("""{"Vat":{"Future":1},"Nominals":{"Sales":"4001","SkuOverrides":{"A":4100}},"NewTopLevel":[1]}""");
        Assert.Equal(4001, rules.GetNominal("Sales"));
        rules.SetNominal("Shipping", 4900);
        rules.GiftCardPolicy = "NegativeLine";
        using var doc = JsonDocument.Parse(rules.ToJson());
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("Vat").GetProperty("Future").GetInt32());
        Assert.Equal(4100, root.GetProperty("Nominals").GetProperty("SkuOverrides").GetProperty("A").GetInt32());
        Assert.Equal(4900, root.GetProperty("Nominals").GetProperty("Shipping").GetInt32());
        Assert.Equal("NegativeLine", root.GetProperty("GiftCards").GetProperty("Policy").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("NewTopLevel").ValueKind);
        Assert.Throws<FormatException>(() => RulesDocument.Parse("[1]"));
    }
}
