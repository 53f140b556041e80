using System.Text;
using Microsoft.AspNetCore.Razor.Hosting;
using Nop.Plugin.Misc.KashFlow;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;
using ViewRender.Host;
using ViewRender.Samples;

namespace ViewRender;

/// <summary>
/// One view host, one sample store and one headless Chromium for the whole class: every sample page is
/// rendered, written to target/screenshots/&lt;name&gt;.html, opened at 1400 px, checked and screenshot.
/// </summary>
public sealed class RenderFixture : IAsyncLifetime
{
    public ViewHost Host { get; } = new();
    public SampleStore Store { get; } = new();
    public Chromium Browser { get; private set; }

    public static string RepositoryRoot => FixtureOrders.RepositoryRoot();
    public static string OutputDirectory => Path.Combine(RepositoryRoot, "target", "screenshots");

    public async Task InitializeAsync()
    {
        // without jQuery every page's own script fails; say why instead
        if (!File.Exists(AdminPage.JQueryPath))
            throw new FileNotFoundException($"{AdminPage.JQueryPath} not found: install Debian's libjs-jquery (.ci/debian-packages.txt; bash .ci/bootstrap)");
        Directory.CreateDirectory(OutputDirectory);
        Browser = await Chromium.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        await Store.DisposeAsync();
        await Host.DisposeAsync();
    }

    /// <summary>Renders the request, writes the page and checks it; every problem is named by the sample.</summary>
    public async Task<(IReadOnlyList<string> Problems, string Screenshot, PageReport Report)> CheckAsync(string name, RenderRequest request, IEnumerable<string> withheldResources = null)
    {
        var scope = Resources.Begin(withheldResources);
        string html;
        try
        {
            html = await Host.RenderAsync(request.ViewPath, request.Model, request.ViewData);
        }
        catch (Exception ex)
        {
            var cause = ex.InnerException is null ? "" : $" ({ex.GetBaseException().GetType().Name}: {ex.GetBaseException().Message})";
            return ([$"rendering failed: {ex.GetType().Name}: {ex.Message}{cause}"], null, null);
        }
        var page = Path.Combine(OutputDirectory, name + ".html");
        var screenshot = Path.Combine(OutputDirectory, name + ".png");
        await File.WriteAllTextAsync(page, html, Encoding.UTF8);
        var report = await Browser.CheckAsync(page, screenshot, AdminPage.ChecksScript);
        var problems = scope.Missing.Select(key => $"no locale resource for {key} (add it to KashFlowLocales.All)").Concat(report.Problems).ToList();
        return (problems, screenshot, report);
    }
}

public class ViewRenderTests(RenderFixture fixture) : IClassFixture<RenderFixture>
{
    private static string PluginViewsDirectory => Path.Combine(RenderFixture.RepositoryRoot, "plugin-dotnet", "src", "Nop.Plugin.Misc.KashFlow", "Views");

    public static TheoryData<string> Samples() => new(ViewSamples.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task The_page_reads_without_raw_keys_or_broken_layout_at_1400_px(string name)
    {
        var sample = ViewSamples.All.Single(s => s.Name == name);
        var (problems, screenshot, report) = await fixture.CheckAsync(name, await sample.Build(fixture.Store));
        Assert.True(problems.Count == 0,
            $"{sample.View} (sample {name}, screenshot {screenshot}):\n  " + string.Join("\n  ", problems));
        Assert.True(new FileInfo(screenshot).Length > 0, $"{sample.View}: no screenshot written");

        // KASHFLOW_UPDATE_SCREENSHOTS=1 (update-screenshots.sh): the documented pages into docs/screenshots/
        if (System.Environment.GetEnvironmentVariable("KASHFLOW_UPDATE_SCREENSHOTS") == "1" && ViewSamples.Documented.Contains(name))
        {
            var bytes = await fixture.Browser.SaveTopAsync(Path.Combine(DocsScreenshots, name + ".png"), DocsMaxHeight, report.Height);
            Assert.True(bytes < DocsMaxBytes, $"docs/screenshots/{name}.png is {bytes / 1024} KB (most {DocsMaxBytes / 1024} KB): lower DocsMaxHeight or the sample's length");
        }
    }

    private static string DocsScreenshots => Path.Combine(RenderFixture.RepositoryRoot, "docs", "screenshots");
    private const int DocsMaxHeight = 1800;
    private const int DocsMaxBytes = 300 * 1024;

    [Fact]
    public void The_checked_in_screenshots_are_small_and_name_a_sample()
    {
        var files = Directory.Exists(DocsScreenshots) ? Directory.GetFiles(DocsScreenshots) : [];
        Assert.All(files, f =>
        {
            Assert.EndsWith(".png", f, StringComparison.Ordinal);
            Assert.True(new FileInfo(f).Length < DocsMaxBytes, $"{f}: {new FileInfo(f).Length / 1024} KB, most {DocsMaxBytes / 1024} KB");
        });
        // the flows designer's picture comes from its own browser test (FlowsBrowserTests), which runs its script
        var expected = ViewSamples.Documented.Append("flows-designer");
        Assert.Equal(expected.Order(StringComparer.Ordinal), files.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_plugin_view_has_a_sample()
    {
        var views = Directory.GetFiles(PluginViewsDirectory, "*.cshtml").Select(Path.GetFileName)
            .Where(f => f is not "_ViewImports.cshtml" and not "_ViewStart.cshtml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(views);
        var sampled = ViewSamples.All.Select(s => s.View).ToHashSet(StringComparer.Ordinal);
        var without = views.Where(v => !sampled.Contains(v)).ToList();
        Assert.True(without.Count == 0,
            $"views with no sample page: {string.Join(", ", without)}; add one line per view to ViewSamples.All (plugin-dotnet/tests/ViewRender/Samples/ViewSamples.cs)");
        var unknown = sampled.Where(v => !views.Contains(v)).ToList();
        Assert.True(unknown.Count == 0, $"samples of views that do not exist: {string.Join(", ", unknown)}");

        // and every one of them is compiled into this assembly where nopCommerce keeps plugin views
        var compiled = new RazorCompiledItemLoader().LoadItems(typeof(RenderFixture).Assembly)
            .Select(i => i.Identifier).Where(i => i.StartsWith("/Plugins/Misc.KashFlow/Views/", StringComparison.Ordinal)).Select(Path.GetFileName).ToHashSet();
        Assert.All(views.Where(v => v != "_ViewImports.cshtml"), v => Assert.Contains(v, compiled));
    }

    [Fact]
    public void The_views_write_no_text_that_is_not_a_locale_resource()
    {
        var found = Directory.GetFiles(PluginViewsDirectory, "*.cshtml").Order(StringComparer.Ordinal)
            .SelectMany(f => HardCodedText.Find(File.ReadAllText(f)).Select(t => $"{Path.GetFileName(f)}: \"{t}\""))
            .ToList();
        Assert.True(found.Count == 0, "text in views that is not a locale resource (add it to KashFlowLocales and write it with T):\n  " + string.Join("\n  ", found));

        // the scan sees text in markup, in shown attributes and after expressions, and leaves Razor alone
        Assert.Equal(["title=\"Open the log\"", "Save", "changes", "Orders"],
            HardCodedText.Find("""
                @model X
                @* a comment *@
                @{ var a = "not shown"; }
                <div title="Open the log" class="x">@T(KashFlowLocales.Save)</div>
                <button>Save changes</button>
                @if (Model.Ok) { <span>@Model.Count Orders</span> } else { <span>@T("x")</span> }
                <td>@r.NextAttemptUtc?.ToString("yyyy-MM-dd HH:mm") UTC</td>
                <script>var text = 'scripts are not scanned';</script>
                """));
    }

    [Fact]
    public async Task A_missing_resource_shows_as_its_key_and_is_caught()
    {
        var sample = ViewSamples.All.First(s => s.View == "Backfill.cshtml");
        var (problems, _, _) = await fixture.CheckAsync("check-missing-resource", await sample.Build(fixture.Store),
            withheldResources: [KashFlowLocales.BackfillTitle, KashFlowLocales.PreviewOrder]);
        Assert.Contains(problems, p => p == $"no locale resource for {KashFlowLocales.BackfillTitle} (add it to KashFlowLocales.All)");
        Assert.Contains(problems, p => p.StartsWith("raw resource key in text at ", StringComparison.Ordinal) && p.Contains(KashFlowLocales.BackfillTitle));
        Assert.Contains(problems, p => p.Contains(KashFlowLocales.PreviewOrder));

        // a label's name comes from its property's resource: withheld, the key shows on the Configure page
        var configure = ViewSamples.All.First(s => s.View == "Configure.cshtml");
        (problems, _, _) = await fixture.CheckAsync("check-missing-label", await configure.Build(fixture.Store), withheldResources: [KashFlowLocales.Enabled]);
        Assert.Contains(problems, p => p.StartsWith("raw resource key in text at ", StringComparison.Ordinal) && p.Contains("label") && p.Contains(KashFlowLocales.Enabled));
    }

    [Fact]
    public async Task The_stand_ins_render_as_nopCommerces_tag_helpers_do()
    {
        var model = new Nop.Plugin.Misc.KashFlow.Models.ConfigurationModel
        {
            Enabled = true,
            UserName = "shop@example.co.uk",
            Password = "s3cret-Value-42",
            TimeoutSeconds = 30,
            ModeId = 1,
            AvailableModes = [new("Live", "0"), new("Sandbox", "1")],
            RulesJson = "{}",
        };
        var request = new RenderRequest("~/Views/Checks/StandIns.cshtml", model);
        var html = await fixture.Host.RenderAsync(request.ViewPath, request.Model);
        // nop-card: an AdminLTE card with its title and collapse tool, the child content as its body
        Assert.Contains("class=\"card card-secondary card-outline\" data-card-name=\"kashflow-check-card\" id=\"kashflow-check-card\"", html);
        Assert.Contains("<div class=\"card-title\"><i class=\"fas fa-plug\"></i>" + KashFlowLocales.All[KashFlowLocales.CardConnection] + "</div>", html);
        Assert.Contains("data-card-widget=\"collapse\"", html);
        // nop-doc-reference: its text in a documentation-reference note
        Assert.Contains("<div class=\"documentation-reference\"><span>Where to find these in KashFlow", html);
        // nop-label: the localized name for its input, and the hint as a tooltip
        Assert.Contains($"<label class=\"col-form-label\" for=\"UserName\">{KashFlowLocales.All[KashFlowLocales.UserName]}</label>", html);
        Assert.Contains($"title=\"{System.Net.WebUtility.HtmlEncode(KashFlowLocales.All[KashFlowLocales.UserName + ".Hint"])}\"", html);
        // nop-editor: a checkbox, a text box, a password box that never carries the value, a number; nop-select; nop-textarea
        Assert.Contains("checked=\"checked\" class=\"check-box\" id=\"Enabled\" name=\"Enabled\" type=\"checkbox\" value=\"true\"", html);
        Assert.Contains("id=\"UserName\" name=\"UserName\" type=\"text\" value=\"shop@example.co.uk\"", html);
        Assert.Contains("<span class=\"required\">*</span>", html);
        Assert.Contains("id=\"Password\" name=\"Password\" type=\"password\"", html);
        Assert.DoesNotContain("s3cret-Value-42", html);
        Assert.Contains("id=\"TimeoutSeconds\" name=\"TimeoutSeconds\" type=\"number\" value=\"30\"", html);
        Assert.Contains("<option selected=\"selected\" value=\"1\">Sandbox</option>", html);
        Assert.Contains("<textarea class=\"form-control\" id=\"RulesJson\" name=\"RulesJson\" rows=\"3\">{}</textarea>", html);

        var (problems, _, _) = await fixture.CheckAsync("check-stand-ins", request);
        Assert.Empty(problems);
        // a card title whose resource is missing shows the key, and is caught
        (problems, _, _) = await fixture.CheckAsync("check-stand-ins-missing", request, withheldResources: [KashFlowLocales.CardConnection]);
        Assert.Contains(problems, p => p.StartsWith("raw resource key in text at ", StringComparison.Ordinal) && p.Contains("card-title"));
    }

    [Fact]
    public async Task A_view_that_cannot_render_is_reported_with_the_reason()
    {
        var (problems, _, _) = await fixture.CheckAsync("check-render-failure",
            new RenderRequest(ViewHost.PluginViews + "Backfill.cshtml", new Nop.Plugin.Misc.KashFlow.Models.PreviewModel()));
        var problem = Assert.Single(problems);
        Assert.StartsWith("rendering failed: InvalidOperationException: The model item passed into the ViewDataDictionary is of type", problem);
        Assert.Contains("BackfillList", problem);
    }

    [Fact]
    public async Task A_page_wider_than_the_viewport_is_caught_naming_the_element()
    {
        var wide = new BackfillList(DateTime.UtcNow.AddDays(-1), DateTime.UtcNow, true,
            [new BackfillOrder(1, "ORDER-" + new string('9', 400), DateTime.UtcNow, 1m)], false);
        var (problems, _, _) = await fixture.CheckAsync("check-overflow", new RenderRequest(ViewHost.PluginViews + "Backfill.cshtml", wide));
        Assert.Contains(problems, p => p.StartsWith("the page scrolls sideways: document width ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("element beyond the 1400 px viewport", StringComparison.Ordinal) && p.Contains("ORDER-999"));
    }

    [Fact]
    public async Task The_page_checks_report_empty_labels_leftovers_and_unrendered_tags()
    {
        var page = Path.Combine(RenderFixture.OutputDirectory, "check-leftovers.html");
        await File.WriteAllTextAsync(page, """
            <!DOCTYPE html><html><body>
            <div class="form-group"><label for="x"></label><input id="x" /></div>
            <p>Total: @Model.Total</p>
            <p>Hello {{ name }}</p>
            <p>Sent {0} orders</p>
            <nop-card asp-name="x"></nop-card>
            <input placeholder="Plugins.Misc.KashFlow.Fields.UserName" />
            <p>Write to ada@example.co.uk</p>
            <button type="submit" class="btn btn-primary"></button>
            <img src="https://cdn.example.com/logo.png" alt="logo" />
            <a href="https://www.kashflow.com/">KashFlow</a>
            <script>kashflowNotDefined();</script>
            </body></html>
            """);
        var report = await fixture.Browser.CheckAsync(page, Path.ChangeExtension(page, ".png"), AdminPage.ChecksScript);
        var problems = report.Problems;
        Assert.Contains(problems, p => p.StartsWith("empty label at ", StringComparison.Ordinal) && p.Contains("(for x)"));
        Assert.Contains(problems, p => p.StartsWith("Razor leftover at ", StringComparison.Ordinal) && p.Contains("@Model.Total"));
        Assert.Contains(problems, p => p.StartsWith("template leftover at ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("unfilled placeholder at ", StringComparison.Ordinal) && p.Contains("{0}"));
        Assert.Contains(problems, p => p.StartsWith("unrendered <nop-card>", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("raw resource key in placeholder of ", StringComparison.Ordinal) && p.Contains("> input"));
        Assert.Contains(problems, p => p.StartsWith("script error: ReferenceError: kashflowNotDefined is not defined", StringComparison.Ordinal));
        // an e-mail address is not a Razor leftover
        Assert.DoesNotContain(problems, p => p.Contains("ada@example"));
        Assert.Contains(problems, p => p.StartsWith("empty button at ", StringComparison.Ordinal) && p.Contains("button.btn.btn-primary"));
        Assert.Contains(problems, p => p.StartsWith("loads from the network: ", StringComparison.Ordinal) && p.Contains("https://cdn.example.com/logo.png"));
        // a link the admin may follow is not a load
        Assert.DoesNotContain(problems, p => p.Contains("www.kashflow.com"));
        Assert.Equal(9, problems.Count);
    }

    [Fact]
    public async Task Chromium_leaves_no_process_or_profile_behind()
    {
        var browser = await Chromium.StartAsync();
        var (profile, process) = (browser.ProfileDirectory, browser.ProcessId);
        Assert.True(Directory.Exists(profile));
        await browser.DisposeAsync();
        Assert.False(Directory.Exists(profile), $"{profile} is left behind");
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(process));
    }
}
