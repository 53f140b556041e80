// The flows designer in a real headless Chromium (Debian's, driven over the DevTools protocol by
// Browser/HeadlessChromium.cs). A small in-process ASP.NET Core host serves the designer's real script
// and style from the plugin output and a page with the markup of Views/Flows.cshtml filled from the real
// KashFlowFlowsController (its model, its Save through the real native kfs_flows_validate, the settings of
// a TestStore). The test creates a flow by clicking, saves it, reloads and sees it; then saves a flow
// with a bad amount and finds the engine's error drawn on that condition's box, and nowhere else.
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nop.Plugin.Misc.KashFlow.Controllers;
using Nop.Plugin.Misc.KashFlow.Models;
using Nop.Plugin.Misc.KashFlow.Tests.Browser;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public class FlowsBrowserTests
{
    [Fact]
    public async Task The_designer_creates_saves_and_shows_a_flow_and_marks_an_error_on_its_box()
    {
        Assert.True(HeadlessChromium.Unavailable() is null, HeadlessChromium.Unavailable());
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All)); // as InstallAsync does
        await using var site = await DesignerSite.StartAsync(store);
        await using var browser = await HeadlessChromium.StartAsync();
        var page = site.Url + "/flows";

        await browser.NavigateAsync(page);
        await browser.WaitForAsync("document.querySelector('#kashflow-flows[data-ready]')", "the designer to start");
        Assert.True(await browser.EvaluateAsync<bool>("!!document.querySelector('#kashflow-flows-default')"), "a fresh store uses the default flow");
        Assert.Equal(0, await browser.EvaluateAsync<int>("document.querySelectorAll('.kf-lane').length"));

        // create a flow by clicking: add it, name it, choose its trigger, add a payment step
        await browser.ClickAsync("[name='kf-add-flow']");
        await browser.WaitForAsync("document.querySelectorAll('.kf-lane').length === 1", "the new flow's lane");
        await browser.TypeAsync("[name='kf-flow-name']", "Paid web orders");
        await browser.TypeAsync("[name='kf-flow-id']", "paid-web-orders");
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='Trigger']");
        await browser.WaitForAsync("document.querySelector(\"[name='kf-trigger']\")", "the trigger form");
        await browser.SelectAsync("[name='kf-trigger']", "OrderPaid");
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='Flow']");
        await browser.ClickAsync("[name='kf-add-step']");
        await browser.WaitForAsync("document.querySelector(\".kf-box[data-box='Steps[2]']\")", "the third step box");
        Assert.Equal(["Flow", "Trigger", "When", "Steps[0]", "Steps[1]", "Steps[2]"],
            await Strings(browser, "[...document.querySelectorAll('.kf-lane .kf-box')].map(b => b.dataset.box)"));

        // save: the server validates through the engine, stores it and shows the page again
        await browser.ClickAsync("[name='kf-save']");
        await browser.WaitForAsync("document.querySelector('#kashflow-flows-custom') && document.querySelector('#kashflow-flows[data-ready]')", "the saved page");
        var saved = (await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson;
        Assert.NotNull(saved);
        Assert.Contains("\"Trigger\":\"OrderPaid\"", saved);
        Assert.Contains("\"Name\":\"Paid web orders\"", saved);

        // reload: the flow is drawn from the saved document
        await browser.ReloadAsync();
        await browser.WaitForAsync("document.readyState === 'complete' && document.querySelector('#kashflow-flows[data-ready]')", "the reloaded page");
        Assert.Equal("Paid web orders", await browser.EvaluateAsync<string>("document.querySelector(\".kf-box[data-box='Flow'] .kf-box-title\").textContent"));
        Assert.Equal("Order paid", await browser.EvaluateAsync<string>("document.querySelector(\".kf-box[data-box='Trigger'] .kf-box-title\").textContent"));
        Assert.Equal(["Customer", "Invoice", "Payment"],
            await Strings(browser, "[...document.querySelectorAll(\".kf-box-step .kf-box-title\")].map(b => b.textContent)"));

        // an example, then a condition with an amount that is not one: the error lands on that box
        await browser.SelectAsync("[name='kf-example']", "trade-on-dispatch");
        await browser.WaitForAsync("document.querySelectorAll('.kf-lane').length === 6", "the example's six flows");
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='When'] > .kf-box-title"); // the group's own title, not a box inside it
        await browser.ClickAsync("[name='kf-add-condition']");
        await browser.WaitForAsync("document.querySelector(\".kf-box[data-flow='0'][data-box='When.All[1]']\")", "the new condition box");
        await browser.TypeAsync("[name='kf-cond-value']", "five hundred");
        await browser.ClickAsync("[name='kf-save']");
        await browser.WaitForAsync("document.querySelector('.kf-has-error')", "an error drawn on a box");

        var marked = await Strings(browser, "[...document.querySelectorAll('.kf-has-error')].map(b => b.dataset.flow + ':' + b.dataset.box)");
        Assert.Equal(["0:When.All[1]"], marked);
        var message = await browser.EvaluateAsync<string>("document.querySelector('.kf-has-error .kf-box-error').textContent");
        Assert.Contains("five hundred", message);
        // and the form beside the diagram has that box open
        Assert.Equal("five hundred", await browser.EvaluateAsync<string>("document.querySelector(\"[name='kf-cond-value']\").value"));
        Assert.True(await browser.EvaluateAsync<bool>("document.querySelector(\".kf-box[data-flow='0'][data-box='When.All[1]']\").classList.contains('kf-selected')"));
        // nothing was saved, and the merchant's unsaved work is still on the page
        Assert.Equal(saved, (await store.Settings.LoadSettingAsync<KashFlowSettings>()).FlowsJson);
        Assert.Equal(6, await browser.EvaluateAsync<int>("document.querySelectorAll('.kf-lane').length"));

        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length < 300 * 1024, $"the screenshot is {png.Length / 1024} KB");
        await File.WriteAllBytesAsync(ScreenshotPath(), png);
    }

    [Fact]
    public async Task The_form_beside_the_diagram_moves_removes_negates_and_switches_off()
    {
        Assert.True(HeadlessChromium.Unavailable() is null, HeadlessChromium.Unavailable());
        await using var store = new TestStore();
        await store.Localization.AddOrUpdateLocaleResourceAsync(new Dictionary<string, string>(KashFlowLocales.All));
        await using var site = await DesignerSite.StartAsync(store);
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(site.Url + "/flows");
        await browser.WaitForAsync("document.querySelector('#kashflow-flows[data-ready]')", "the designer to start");
        await browser.SelectAsync("[name='kf-example']", "every-order");
        await browser.WaitForAsync("document.querySelectorAll('.kf-lane').length === 4", "the example's four flows");
        const string posted = "JSON.parse(document.getElementById('kashflow-flows-json').value)";

        // the second step (Invoice) moves up, the last (Stock) goes
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='Steps[1]']");
        await browser.ClickAsync("[name='kf-step-up']");
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='Steps[5]']");
        await browser.ClickAsync("[name='kf-step-remove']");
        Assert.Equal(["Invoice", "Customer", "Payment", "OrderNote", "OrderStatus"], await Strings(browser, posted + ".Flows[0].Steps.map(s => s.Step)"));

        // a condition, negated; the second flow moved above the first and switched off
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='When']");
        await browser.ClickAsync("[name='kf-add-condition']");
        await browser.SelectAsync("[name='kf-cond-field']", "BillingCountry");
        await browser.SelectAsync("[name='kf-cond-op']", "In");
        await browser.TypeAsync("[name='kf-cond-value']", "GB, IE");
        await browser.ClickAsync("[name='kf-cond-negate']");
        Assert.Equal("""{"All":[{"Not":{"Field":"BillingCountry","Op":"In","Value":["GB","IE"]}}]}""",
            (await browser.EvaluateAsync("JSON.stringify(" + posted + ".Flows[0].When)"))!.GetValue<string>());
        Assert.Equal("Not", await browser.EvaluateAsync<string>("document.querySelector(\".kf-box[data-flow='0'][data-box='When.All[0]'] > .kf-box-title\").textContent"));
        await browser.ClickAsync(".kf-box[data-flow='1'][data-box='Flow']");
        await browser.ClickAsync("[name='kf-flow-up']");
        await browser.ClickAsync("[name='kf-flow-enabled']");
        Assert.Equal(["payment-when-paid", "every-order", "refund-credit-note", "cancel-credit-note"], await Strings(browser, posted + ".Flows.map(f => f.Id)"));
        Assert.False(await browser.EvaluateAsync<bool>(posted + ".Flows[0].Enabled"));
        Assert.True(await browser.EvaluateAsync<bool>("document.querySelector(\".kf-lane[data-flow='0']\").classList.contains('kf-disabled')"));

        // a flow whose whole condition is one test: a second condition makes it "all of" both
        await browser.SelectAsync("[name='kf-example']", "paid-rollup-guests");
        await browser.WaitForAsync("document.querySelector(\".kf-box-test[data-flow='0'][data-box='When']\")", "the example's single test");
        await browser.ClickAsync(".kf-box[data-flow='0'][data-box='When']");
        await browser.ClickAsync("[name='kf-add-condition']");
        Assert.Equal("""{"All":[{"Field":"CustomerRole","Op":"Equals","Value":"Guests"},{"Field":"OrderTotal","Op":"AtLeast","Value":"0.00"}]}""",
            (await browser.EvaluateAsync("JSON.stringify(" + posted + ".Flows[0].When)"))!.GetValue<string>());
    }

    private static async Task<string[]> Strings(HeadlessChromium browser, string expression) => await browser.EvaluateAsync<string[]>(expression) ?? [];

    /// <summary>docs/screenshots/flows-designer.png in the repository with KASHFLOW_SAVE_SCREENSHOTS=1, else a temporary file.</summary>
    private static string ScreenshotPath()
    {
        if (Environment.GetEnvironmentVariable("KASHFLOW_SAVE_SCREENSHOTS") == "1")
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Cargo.toml")) && Directory.Exists(Path.Combine(dir.FullName, "plugin-dotnet")))
                {
                    var folder = Directory.CreateDirectory(Path.Combine(dir.FullName, "docs", "screenshots"));
                    return Path.Combine(folder.FullName, "flows-designer.png");
                }
            }
        }
        return Path.Combine(Path.GetTempPath(), "kashflow-flows-designer.png");
    }

    /// <summary>
    /// The designer page on 127.0.0.1: GET /flows and the two POSTs go to the real controller of
    /// <paramref name="store"/>; the page is Flows.cshtml's designer markup around the controller's model.
    /// </summary>
    private sealed class DesignerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private DesignerSite(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<DesignerSite> StartAsync(TestStore store)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var content = Path.Combine(AppContext.BaseDirectory, "Content");

            app.MapGet("/content/{file}", (string file) =>
                file is "flows-designer.js" or "flows-designer.css"
                    ? Results.File(Path.Combine(content, file), file.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css")
                    : Results.NotFound());
            app.MapGet("/flows", async () => Render(await WithControllerAsync(store, c => c.Flows())));
            app.MapPost("/flows/save", async (HttpRequest request) =>
            {
                var form = await request.ReadFormAsync();
                return Render(await WithControllerAsync(store, c => c.SaveFlows(form["flowsJson"])));
            });

            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new DesignerSite(app, address.TrimEnd('/'));
        }

        private static async Task<IActionResult> WithControllerAsync(TestStore store, Func<KashFlowFlowsController, Task<IActionResult>> action)
        {
            await using var scope = store.Scope();
            return await action(scope.ServiceProvider.GetRequiredService<KashFlowFlowsController>());
        }

        // a redirect after a good save goes back to the page (Post/Redirect/Get, as in the admin)
        private static IResult Render(IActionResult result) => result switch
        {
            RedirectToActionResult => Results.Redirect("/flows"),
            ViewResult { Model: FlowsPageModel model } => Results.Content(Page(model), "text/html; charset=utf-8"),
            _ => Results.Problem($"unexpected {result.GetType().Name}"),
        };

        private static string Page(FlowsPageModel model)
        {
            var a = HtmlEncoder.Default;
            var html = new StringBuilder();
            html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>KashFlow flows</title>")
                .Append("<link rel=\"stylesheet\" href=\"/content/flows-designer.css\">")
                // a few of the admin's Bootstrap rules, so the screenshot reads like the admin page
                .Append("<style>*{box-sizing:border-box}body{font-family:'Source Sans Pro',Arial,sans-serif;margin:1rem;background:#f4f6f9;color:#212529}")
                .Append(".card{background:#fff;border:1px solid #dee2e6;border-radius:.25rem;padding:1rem;margin-bottom:1rem}")
                .Append(".row{display:flex;flex-wrap:wrap}.col-lg-8{flex:0 0 66%;max-width:66%}.col-lg-4{flex:0 0 33%;max-width:33%}")
                .Append(".btn{border:1px solid #ced4da;border-radius:.25rem;background:#f8f9fa;padding:.3rem .6rem;cursor:pointer}.btn-primary{background:#3c8dbc;color:#fff}")
                .Append(".btn-danger{background:#dc3545;color:#fff}.form-control{display:block;width:100%;padding:.3rem;border:1px solid #ced4da;border-radius:.25rem;box-sizing:border-box}")
                .Append(".d-inline-block{display:inline-block}.w-auto{width:auto}.alert{padding:.6rem;border-radius:.25rem}.alert-info{background:#d1ecf1}.alert-success{background:#d4edda}.alert-danger{background:#f8d7da}")
                .Append(".text-muted{color:#6c757d}.mr-1{margin-right:.25rem}.mr-2{margin-right:.5rem}.mb-1{margin-bottom:.25rem}.mb-2{margin-bottom:.5rem}</style></head><body>")
                .Append("<h1>KashFlow flows</h1><div class=\"card\">")
                .Append(model.DefaultFlowInUse
                    ? "<div class=\"alert alert-info\" id=\"kashflow-flows-default\">You are using the default flow.</div>"
                    : "<div class=\"alert alert-success\" id=\"kashflow-flows-custom\">Your own flows are in use.</div>")
                .Append("</div><div class=\"card\">")
                .Append("<div id=\"kashflow-flows\"")
                .Append(" data-flows=\"").Append(a.Encode(model.FlowsJson)).Append('"')
                .Append(" data-errors=\"").Append(a.Encode(model.ErrorsJson)).Append('"')
                .Append(" data-examples=\"").Append(a.Encode(model.ExamplesJson)).Append('"')
                .Append(" data-options=\"").Append(a.Encode(model.OptionsJson)).Append('"')
                .Append(" data-texts=\"").Append(a.Encode(model.TextsJson)).Append("\"></div>")
                .Append("<form method=\"post\" action=\"/flows/save\" id=\"kashflow-flows-save\" data-kf-carries-flows=\"true\" style=\"margin-top:1rem\">")
                .Append("<input type=\"hidden\" name=\"flowsJson\" id=\"kashflow-flows-json\" value=\"").Append(a.Encode(model.FlowsJson)).Append("\">")
                .Append("<button type=\"submit\" class=\"btn btn-primary\" name=\"kf-save\">Save flows</button></form></div>")
                .Append("<script src=\"/content/flows-designer.js\"></script></body></html>");
            return html.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
