// The nopCommerce store the samples come from: the plugin tests' TestStore (fakes, the plugin's own DI)
// with the plugin's English resources installed, so the plugin's model factory and phrases build the
// models as in a store. Its engine is not started; Sandbox() is a second store whose engine has synced
// orders against the sandbox KashFlow (started once, on first use).
using Microsoft.Extensions.DependencyInjection;
using Nop.Plugin.Misc.KashFlow;
using Nop.Plugin.Misc.KashFlow.Factories;
using Nop.Plugin.Misc.KashFlow.Tests.Fakes;

namespace ViewRender.Samples;

public sealed class SampleStore : IAsyncDisposable
{
    public TestStore Store { get; } = new();

    public SampleStore()
    {
        foreach (var (key, value) in KashFlowLocales.All)
            Store.Localization.Resources[key] = value;
    }

    public T Get<T>() where T : notnull => Scope.ServiceProvider.GetRequiredService<T>();

    private AsyncServiceScope Scope => _scope ??= Store.Scope();
    private AsyncServiceScope? _scope;

    public KashFlowModelFactory Factory => Get<KashFlowModelFactory>();

    public KashFlowPhrases Phrases => Get<KashFlowPhrases>();

    private Task<SandboxShop> _sandbox;

    public Task<SandboxShop> Sandbox() => _sandbox ??= SandboxShop.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_sandbox is { IsCompletedSuccessfully: true })
            await _sandbox.Result.DisposeAsync();
        if (_scope is { } scope)
            await scope.DisposeAsync();
        await Store.DisposeAsync();
    }
}
