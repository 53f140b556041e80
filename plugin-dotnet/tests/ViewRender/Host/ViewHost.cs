// An in-process ASP.NET Core MVC host with nothing but the view engine: the plugin's views (compiled into
// this assembly by the Razor SDK at ~/Plugins/Misc.KashFlow/Views/, where nopCommerce keeps them) and the
// host's layout and shared views. A view is rendered to a string as a controller's ViewResult would
// render it; no HTTP server, no nopCommerce code.
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Nop.Web.Framework.UI;

namespace ViewRender.Host;

public sealed class ViewHost : IAsyncDisposable
{
    public const string PluginViews = "~/Plugins/Misc.KashFlow/Views/";

    private readonly ServiceProvider _services;

    public ViewHost()
    {
        var services = new ServiceCollection();
        var environment = new Environment(AppContext.BaseDirectory);
        services.AddSingleton<IWebHostEnvironment>(environment);
        services.AddSingleton<IHostEnvironment>(environment);
        var diagnostics = new DiagnosticListener("ViewRender");
        services.AddSingleton(diagnostics);
        services.AddSingleton<DiagnosticSource>(diagnostics);
        services.AddLogging();
        // antiforgery tokens of the forms: keys in memory only (no key ring written to the home folder)
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddControllersWithViews().AddApplicationPart(typeof(ViewHost).Assembly);
        services.AddSingleton<IUrlHelperFactory, AdminUrlHelperFactory>();
        services.AddScoped<INopHtmlHelper, NopHtmlHelper>();
        _services = services.BuildServiceProvider();
    }

    /// <summary>Renders a view (a page, with its layout) to HTML. <paramref name="viewData"/> adds entries (grid rows, …).</summary>
    public async Task<string> RenderAsync(string viewPath, object model, IDictionary<string, object> viewData = null)
    {
        await using var scope = _services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("yourstore.example");
        var routeData = new RouteData();
        routeData.Values["area"] = "Admin";
        routeData.Values["controller"] = "KashFlowAdmin";
        routeData.Values["action"] = Path.GetFileNameWithoutExtension(viewPath);
        var actionContext = new ActionContext(http, routeData, new ActionDescriptor());

        var engine = services.GetRequiredService<IRazorViewEngine>();
        var found = engine.GetView(executingFilePath: null, viewPath, isMainPage: true);
        if (!found.Success)
            throw new InvalidOperationException($"{viewPath}: the view engine did not find it (searched {string.Join(", ", found.SearchedLocations)})");

        var data = new ViewDataDictionary(services.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary()) { Model = model };
        foreach (var (key, value) in viewData ?? new Dictionary<string, object>())
            data[key] = value;
        await using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var context = new ViewContext(actionContext, found.View, data, new TempDataDictionary(http, new NoTempData()), writer, new HtmlHelperOptions());
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");
        try
        {
            await found.View.RenderAsync(context);
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        }
        return writer.ToString();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class Environment(string root) : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = root;
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = typeof(ViewHost).Assembly.GetName().Name;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = root;
        public string EnvironmentName { get; set; } = "Production";
    }

    private sealed class NoTempData : ITempDataProvider
    {
        public IDictionary<string, object> LoadTempData(HttpContext context) => new Dictionary<string, object>();

        public void SaveTempData(HttpContext context, IDictionary<string, object> values)
        {
        }
    }

    private sealed class NopHtmlHelper : INopHtmlHelper
    {
        public string ActiveMenuItem { get; private set; }

        public void SetActiveMenuItemSystemName(string systemName) => ActiveMenuItem = systemName;
    }
}

/// <summary>
/// Admin URLs as nopCommerce's routes give them (/Admin/{controller}/{action}/{id}, other values as the
/// query). A stand-in for routing: the pages are looked at, not navigated.
/// </summary>
public sealed class AdminUrlHelperFactory : IUrlHelperFactory
{
    public IUrlHelper GetUrlHelper(ActionContext context) => new AdminUrlHelper(context);

    private sealed class AdminUrlHelper(ActionContext context) : IUrlHelper
    {
        public ActionContext ActionContext { get; } = context;

        public string Action(UrlActionContext action)
        {
            var values = new RouteValueDictionary(action.Values);
            var controller = action.Controller ?? ActionContext.RouteData.Values["controller"] as string;
            var url = $"/Admin/{controller}/{action.Action}";
            if (values.Remove("id", out var id))
                url += "/" + Uri.EscapeDataString(Convert.ToString(id, CultureInfo.InvariantCulture) ?? "");
            var query = string.Join("&", values.Where(v => v.Value is not null)
                .Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? "")));
            return query.Length == 0 ? url : url + "?" + query;
        }

        public string Content(string contentPath) =>
            contentPath is not null && contentPath.StartsWith("~/", StringComparison.Ordinal) ? contentPath[1..] : contentPath;

        public bool IsLocalUrl(string url) => url is not null && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal);

        public string Link(string routeName, object values) => RouteUrl(new UrlRouteContext { RouteName = routeName, Values = values });

        public string RouteUrl(UrlRouteContext routeContext) => "/Admin/" + (routeContext.RouteName ?? "");
    }
}
