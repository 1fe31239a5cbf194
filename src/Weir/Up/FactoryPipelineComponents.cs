using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Pipelines.Factory;

namespace Weir.Cli.Up;

/// <summary>
/// Where the factory components of `weir up` find Kafka and the streaming API: the configured addresses, or when
/// none is configured, the broker and API that this `weir up` started (which may listen on any free port).
/// </summary>
internal sealed class FactoryWiring(WeirContext context, BrokerComponent broker, FactoryApiComponent api)
{
    public FactoryKafkaOptions Kafka()
    {
        var kafka = FactoryCommands.KafkaSettings(context, parse: null);
        if (context.Configuration[$"{FactoryCommands.Section}:Kafka:Bootstrap"] is null && context.Configuration["Kafka:BootstrapServers"] is null
            && broker.BootstrapServers is { } bootstrap)
        {
            kafka.Bootstrap = bootstrap;
        }

        return kafka;
    }

    public string? Api => context.Configuration[$"{FactoryCommands.Section}:Producer:Api"] is null ? api.Address?.ToString() : null;
}

/// <summary>The factory producers inside `weir up`: they finish when both streams have ended.</summary>
internal sealed class FactoryProducerComponent(WeirContext context, FactoryWiring wiring) : UpComponent
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public override string Name => "factory-producer";

    public override Task Completion => _run ?? base.Completion;

    public override Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var (producer, _, state) = FactoryCommands.ProducerSettings(context, parse: null);
        producer.Api = wiring.Api ?? producer.Api;
        var kafka = wiring.Kafka();
        // Each stream's producer logs how it finished; the component completes when every stream has ended.
        _run = Task.Run(() => FactoryProducer.RunAsync(producer, kafka, state, context.LoggerFactory, TimeProvider.System, _stop.Token));
        return Task.FromResult($"{string.Join(", ", producer.EffectiveStreams.Select(s => $"{s.Endpoint} → {s.Topic}"))} from {producer.Api} to {kafka.Bootstrap}");
    }

    public override async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Quietly(_run).ConfigureAwait(false);
        _stop.Dispose();
    }

    internal static async Task Quietly(Task? run)
    {
        if (run is null)
        {
            return;
        }

        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The factory sink inside `weir up`: persists the topics as Parquet until stopped.</summary>
internal sealed class FactorySinkComponent(WeirContext context, FactoryWiring wiring) : UpComponent
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public override string Name => "factory-sink";

    public override Task Completion => _run ?? base.Completion;

    public override Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var (sink, _, database) = FactoryCommands.SinkSettings(context, parse: null);
        var kafka = wiring.Kafka();
        _run = Task.Run(() => FactorySink.RunAsync(sink, kafka, database, context.LoggerFactory, TimeProvider.System,
            sink.Output == "console" ? Console.Out : null, availableNow: false, _stop.Token));
        return Task.FromResult($"{string.Join(", ", sink.EffectiveTopics)} from {kafka.Bootstrap} to {(sink.Output == "console" ? "the console" : database)} every {sink.TriggerSeconds} s");
    }

    public override async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await FactoryProducerComponent.Quietly(_run).ConfigureAwait(false);
        _stop.Dispose();
    }
}
