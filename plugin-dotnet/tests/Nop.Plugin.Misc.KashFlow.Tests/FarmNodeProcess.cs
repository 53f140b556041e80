// The test assembly's entry point (the test SDK's generated one does nothing): `dotnet
// Nop.Plugin.Misc.KashFlow.Tests.dll farm-node <settings>` runs one web farm node — a plugin host with its
// own App_Data, over the store database file named — in a process of its own, so that a test can kill it
// with SIGKILL mid-sync (WebFarmTests). It polls until it is killed. Without those arguments it does nothing.
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow.Domain;
using Nop.Plugin.Misc.KashFlow.Services;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace Nop.Plugin.Misc.KashFlow.Tests;

public sealed record FarmNodeArguments(string DatabaseFile, string SandboxUrl, KashFlowTransport Transport, double LeaseSeconds);

public static class FarmNodeProcess
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["farm-node", var json])
            return 0;
        var arguments = JsonSerializer.Deserialize<FarmNodeArguments>(json)!;
        using var db = new FarmDatabase(arguments.DatabaseFile);
        await using var node = new TestStore(configureServices: services =>
        {
            services.AddScoped(_ => db.Repository<KashFlowFarmDocument>());
            services.AddScoped(_ => db.Repository<KashFlowFarmLease>());
        });
        var host = (KashFlowEngineHost)node.Host;
        host.FarmLeaseExpiry = TimeSpan.FromSeconds(arguments.LeaseSeconds);
        await node.ConfigureAsync(s =>
        {
            s.Enabled = true;
            s.Mode = KashFlowMode.Sandbox;
            s.BaseUrl = arguments.SandboxUrl;
            s.Transport = arguments.Transport;
            s.PullStock = false;
            s.WebFarm = true;
        }, "sandbox", "sandbox-password", "kashflow");
        Console.WriteLine("node " + host.FarmNode);
        Console.WriteLine("root " + node.ContentRoot); // killed, it cannot clean up: the test does
        while (true)
        {
            await node.Poller.RunOnceAsync();
            await Task.Delay(100);
        }
    }
}
