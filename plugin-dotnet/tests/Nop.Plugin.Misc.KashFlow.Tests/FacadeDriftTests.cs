using System.Reflection;
using KashFlow.FacadeApi;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

/// <summary>
/// The compile-only facade against the real nopCommerce 4.90.3: every public (or protected) type and member
/// the facade declares must be in plugin-dotnet/facade/nop-4.90.3-api.txt, the listing of the real
/// assemblies' API (plugin-dotnet/tools/FacadeApiListing), with the same shape: assembly, kind, base class,
/// access, static, abstract/virtual/override, generic arity, return and parameter types. A facade that
/// drifts from the real nopCommerce would let the plugin compile against something a store does not have.
/// </summary>
public class FacadeDriftTests
{
    private static readonly string[] FacadeAssemblies = ["Nop.Core", "Nop.Data", "Nop.Services", "Nop.Web.Framework"];

    private static HashSet<string> Listing() =>
        File.ReadAllLines(Path.Combine(FixtureOrders.RepositoryRoot(), "plugin-dotnet", "facade", "nop-4.90.3-api.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<Type> FacadeTypes() =>
        FacadeAssemblies.Select(name => Assembly.Load(new AssemblyName(name))).SelectMany(a => a.GetTypes()).Where(ApiFormat.IsVisible);

    [Fact]
    public void Every_facade_type_and_member_is_in_the_real_nopCommerce_API_with_the_same_shape()
    {
        var listing = Listing();
        var drift = FacadeTypes().SelectMany(ApiFormat.Lines).Where(line => !listing.Contains(line)).Order(StringComparer.Ordinal).ToList();
        Assert.True(drift.Count == 0, $"{drift.Count} facade line(s) are not in nopCommerce 4.90.3's API:\n" + string.Join("\n", drift));
    }

    /// <summary>
    /// The FluentMigrator facade (7.1.0.0, FluentMigrator's key) against FluentMigrator 8.0.1's API
    /// (facade/fluentmigrator-8.0.1-api.txt): members, and the interfaces each type has, since a fluent call
    /// compiles to a reference on the interface that declares the method. Read without loading it: this
    /// process runs the real FluentMigrator.
    /// </summary>
    [Fact]
    public void Every_FluentMigrator_facade_type_member_and_interface_is_in_FluentMigrator_8_with_the_same_shape()
    {
        var listing = File.ReadAllLines(Path.Combine(FixtureOrders.RepositoryRoot(), "plugin-dotnet", "facade", "fluentmigrator-8.0.1-api.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(AppContext.BaseDirectory, "facade-fluentmigrator");
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        using var context = new MetadataLoadContext(new PathAssemblyResolver(Directory.GetFiles(runtime, "*.dll").Concat(Directory.GetFiles(folder, "*.dll"))), "System.Private.CoreLib");
        var assemblies = new[] { "FluentMigrator", "FluentMigrator.Abstractions" }.Select(n => context.LoadFromAssemblyPath(Path.Combine(folder, n + ".dll"))).ToList();
        Assert.All(assemblies, a => Assert.Equal((new Version(7, 1, 0, 0), "aacfc7de5acabf05"),
            (a.GetName().Version!, Convert.ToHexString(a.GetName().GetPublicKeyToken()!).ToLowerInvariant())));
        var types = assemblies.SelectMany(a => a.GetTypes()).Where(ApiFormat.IsVisible).ToList();
        Assert.Contains(types, t => t.Name == "ICreateTableColumnOptionOrWithColumnSyntax");
        var drift = types.SelectMany(t => ApiFormat.Lines(t).Concat(ApiFormat.InterfaceLines(t))).Where(line => !listing.Contains(line)).Order(StringComparer.Ordinal).ToList();
        Assert.True(drift.Count == 0, $"{drift.Count} facade line(s) are not in FluentMigrator 8.0.1's API:\n" + string.Join("\n", drift));
        // and the check would see a wrong interface
        Assert.DoesNotContain("FluentMigrator.Builders.Create.Table.ICreateTableColumnAsTypeSyntax | implements FluentMigrator.Builders.Create.Table.ICreateTableWithColumnSyntax", listing);
    }

    [Fact]
    public void The_check_tells_a_drifted_member_from_a_real_one()
    {
        // the facade's own lines are what the listing holds; a changed shape of one is not
        var listing = Listing();
        var line = ApiFormat.Lines(typeof(Nop.Web.Framework.Events.BaseAdminMenuCreatedEventConsumer))
            .Single(l => l.Contains(" CheckAccessAsync(", StringComparison.Ordinal));
        Assert.Equal("Nop.Web.Framework.Events.BaseAdminMenuCreatedEventConsumer | protected virtual method System.Threading.Tasks.Task<System.Boolean> CheckAccessAsync()", line);
        Assert.Contains(line, listing);
        Assert.DoesNotContain(line.Replace("protected virtual", "public virtual"), listing);
        Assert.DoesNotContain(line.Replace("Task<System.Boolean>", "Task"), listing);
        Assert.Contains("type Nop.Web.Framework abstract class Nop.Web.Framework.Events.BaseAdminMenuCreatedEventConsumer", listing);
        Assert.DoesNotContain("type Nop.Services abstract class Nop.Web.Framework.Events.BaseAdminMenuCreatedEventConsumer", listing);
        // and it covers the facade: every facade type has its type line there
        Assert.All(FacadeTypes(), t => Assert.Contains(ApiFormat.TypeLine(t), listing));
    }
}
