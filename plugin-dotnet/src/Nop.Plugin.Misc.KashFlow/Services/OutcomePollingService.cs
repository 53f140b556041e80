// The background loop of the plugin: keeps the engine started, takes outcomes from it, applies each
// inside its own DI scope (nopCommerce services are scoped) and acknowledges what was applied; writes the
// engine's log lines to nopCommerce's log; hands the spool over. An outcome whose application throws is
// retried on the next polls and, after MaxOutcomeApplyAttempts, logged and acknowledged (no poison loop).
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nop.Plugin.Misc.KashFlow.Native;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.KashFlow.Services;

/// <summary>Where outcomes come from and go back to: the engine (or a test's stand-in).</summary>
public interface IOutcomeChannel
{
    IReadOnlyList<EngineOutcome> Poll(int max);

    void Ack(IReadOnlyCollection<long> ids);
}

internal sealed class EngineOutcomeChannel(KashFlowEngine engine) : IOutcomeChannel
{
    public IReadOnlyList<EngineOutcome> Poll(int max) => engine.PollOutcomes(max);

    public void Ack(IReadOnlyCollection<long> ids) => engine.AckOutcomes(ids);
}

public class OutcomePollingService : BackgroundService
{
    private readonly Dictionary<long, int> _failures = new();
    private readonly IKashFlowEngineHost _host;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly TimeProvider _time;
    private DateTime _nextSpoolDrainUtc = DateTime.MinValue;

    public OutcomePollingService(IKashFlowEngineHost host, IServiceScopeFactory scopeFactory, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _host = host;
        _scopeFactory = scopeFactory;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // let the application finish starting (nopCommerce installs plugins in its start-up)
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                delay = await RunOnceAsync(stoppingToken) > 0 ? KashFlowDefaults.BusyPollDelay : KashFlowDefaults.IdlePollDelay;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                // the scope or the log is unavailable (database down): try again later
                delay = KashFlowDefaults.EngineRetryDelay;
            }
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass: start if needed, apply a batch of outcomes, flush logs. Returns outcomes handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        // a web farm: the active-node lease first (only its holder runs the engine)
        await _host.FarmTickAsync(cancellationToken);
        await _host.EnsureStartedAsync(cancellationToken: cancellationToken);
        var engine = _host.Engine;
        var handled = 0;
        await using var scope = _scopeFactory.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILogger>();
        if (engine is not null)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            if (now >= _nextSpoolDrainUtc)
            {
                _nextSpoolDrainUtc = now + KashFlowDefaults.EngineRetryDelay;
                await _host.DrainSpoolAsync(cancellationToken);
            }
            handled = await ApplyBatchAsync(new EngineOutcomeChannel(engine), logger, cancellationToken);
        }
        await FlushEngineLogAsync(logger);
        return handled;
    }

    /// <summary>Applies one batch, each outcome in its own scope, and acknowledges the applied ones. Returns the batch size.</summary>
    public async Task<int> ApplyBatchAsync(IOutcomeChannel channel, ILogger logger, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<EngineOutcome> outcomes;
        try
        {
            outcomes = channel.Poll(KashFlowDefaults.OutcomeBatchSize);
        }
        catch (ObjectDisposedException)
        {
            return 0; // stopped while we were looking
        }
        if (outcomes.Count == 0)
            return 0;

        var done = new List<long>();
        foreach (var outcome in outcomes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var scope = _scopeFactory.CreateAsyncScope();
                var applier = scope.ServiceProvider.GetRequiredService<OutcomeApplier>();
                await applier.ApplyAsync(outcome);
                done.Add(outcome.Id);
                _failures.Remove(outcome.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var attempts = _failures.GetValueOrDefault(outcome.Id) + 1;
                _failures[outcome.Id] = attempts;
                if (attempts >= KashFlowDefaults.MaxOutcomeApplyAttempts)
                {
                    await logger.ErrorAsync($"KashFlow: outcome {outcome.Id} ({outcome.Kind}, order {outcome.OrderId}, SKU {outcome.Sku}) failed {attempts} times and is dropped; apply it by hand.", ex);
                    done.Add(outcome.Id);
                    _failures.Remove(outcome.Id);
                }
                else
                    await logger.WarningAsync($"KashFlow: outcome {outcome.Id} ({outcome.Kind}) failed to apply (attempt {attempts}); retrying.", ex);
            }
        }
        if (done.Count > 0)
            channel.Ack(done);
        return outcomes.Count;
    }

    private async Task FlushEngineLogAsync(ILogger logger)
    {
        for (var i = 0; i < 200 && _host.TryDequeueLog(out var entry); i++)
        {
            var message = $"KashFlow engine [{entry.Target}]: {entry.Message}";
            switch (entry.Level.ToUpperInvariant())
            {
                case "ERROR":
                    await logger.ErrorAsync(message);
                    break;
                case "WARN":
                case "WARNING":
                    await logger.WarningAsync(message);
                    break;
                case "INFO":
                case "INFORMATION":
                    await logger.InformationAsync(message);
                    break;
                default:
                    // debug and trace stay out of the shop's log
                    break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _host.Stop();
    }
}
