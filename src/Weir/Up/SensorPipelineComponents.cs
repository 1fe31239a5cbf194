using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Simulation;
using Weir.Pipelines.Shared;
using Weir.Services.Rtls;

namespace Weir.Cli.Up;

/// <summary>
/// Where the fingerprint and RTLS components of `weir up` find Kafka: Kafka:BootstrapServers when configured, else the
/// broker this `weir up` started (which may listen on any free port), else the default address.
/// </summary>
internal sealed class SensorPipelineWiring(WeirContext context, BrokerComponent broker)
{
    public string Bootstrap => context.Configuration["Kafka:BootstrapServers"] ?? broker.BootstrapServers ?? KafkaClientOptions.DefaultBootstrap;

    public WeirContext Context => context;
}

/// <summary>A component that runs one task until stopped.</summary>
internal abstract class BackgroundComponent : UpComponent
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public override Task Completion => _run ?? base.Completion;

    protected CancellationToken Stopping => _stop.Token;

    protected void Run(Func<Task> work) => _run = Task.Run(work);

    public override async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_run is not null)
            {
                await _run.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await StoppedAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    protected virtual Task StoppedAsync() => Task.CompletedTask;
}

/// <summary>The fingerprint generator inside `weir up`: the original's five kilns, live, every second.</summary>
internal sealed class FingerprintGeneratorComponent(SensorPipelineWiring wiring) : BackgroundComponent
{
    public override string Name => "fingerprint-generator";

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var settings = wiring.Context.Bind<FingerprintSettings>(FingerprintSettings.Section);
        var options = new FingerprintGeneratorOptions
        {
            EquipmentIds = IdList.Parse(settings.EquipmentIds),
            SensorIds = IdList.Parse(settings.SensorIds),
            IntervalMs = settings.Generator.IntervalMs,
            NullProbability = settings.Generator.NullProbability,
            StringValues = settings.Generator.StringValues,
            Seed = settings.Generator.Seed,
        };
        var bootstrap = wiring.Bootstrap;
        await KafkaPublisher.EnsureTopicsAsync(bootstrap, [new TopicSpec(settings.InputTopic, settings.Generator.Partitions)], cancellationToken).ConfigureAwait(false);
        var log = wiring.Context.LoggerFactory.CreateLogger("weir.up.fingerprint-generator");
        Run(async () =>
        {
            using var publisher = new KafkaPublisher(bootstrap, "weir-fingerprint-generator");
            await FingerprintGeneratorRunner.RunAsync(new FingerprintGenerator(options), publisher, settings.InputTopic, keyed: true,
                GeneratorSchedule.Live(options.IntervalMs), TimeProvider.System, log, Stopping).ConfigureAwait(false);
        });
        return $"{options.EquipmentIds.Count} equipment × {options.SensorIds.Count} sensors every {options.IntervalMs} ms → {settings.InputTopic}";
    }
}

/// <summary>The fingerprint job inside `weir up`.</summary>
internal sealed class FingerprintJobComponent(SensorPipelineWiring wiring) : BackgroundComponent
{
    public override string Name => "fingerprint";

    public override Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var context = wiring.Context;
        var settings = context.Bind<FingerprintSettings>(FingerprintSettings.Section);
        var run = new FingerprintRun
        {
            Bootstrap = wiring.Bootstrap,
            Settings = settings,
            Parallelism = settings.Parallelism,
            CheckpointDirectory = context.DataPath(settings.CheckpointDirectory, "checkpoints", FingerprintJob.JobName),
            LoggerFactory = context.LoggerFactory,
        };
        var job = FingerprintRunner.Start(run, out var deadLetters);
        Run(async () =>
        {
            using (deadLetters)
            {
                await using (job.ConfigureAwait(false))
                {
                    await using (Stopping.Register(job.Cancel))
                    {
                        await job.Completion.ConfigureAwait(false);
                    }
                }
            }
        });
        return Task.FromResult($"job {FingerprintJob.JobName}: {settings.InputTopic} → {settings.OutputTopic} (late: {settings.LateTopic}), {settings.WindowSizeMinutes} min windows");
    }
}

/// <summary>The fingerprint saver inside `weir up`.</summary>
internal sealed class FingerprintSaverComponent(SensorPipelineWiring wiring) : BackgroundComponent
{
    public override string Name => "fingerprint-saver";

    public override Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var context = wiring.Context;
        var settings = context.Bind<FingerprintSettings>(FingerprintSettings.Section);
        var run = new FingerprintSaverRun
        {
            Bootstrap = wiring.Bootstrap,
            Settings = settings,
            OutputFolder = context.DataPath(settings.Saver.OutputFolder, "fingerprint", "output"),
        };
        var saver = new FingerprintSaver(run, context.LoggerFactory.CreateLogger("weir.fingerprint-saver"));
        Run(() => saver.RunAsync(Stopping));
        return Task.FromResult($"{settings.OutputTopic} + {settings.InputTopic} → {run.OutputFolder}");
    }
}

/// <summary>The RTLS simulator inside `weir up`: the original's three anchors and six rooms, live.</summary>
internal sealed class RtlsSimulatorComponent(SensorPipelineWiring wiring) : BackgroundComponent
{
    public override string Name => "rtls-simulator";

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var settings = wiring.Context.Bind<RtlsSettings>(RtlsSettings.Section);
        var sim = settings.Simulator;
        var plan = sim.GridAnchors > 0 ? FloorPlan.Grid(sim.GridAnchors, sim.GridSpacing) : sim.Plan is { Length: > 0 } file ? FloorPlan.Load(file) : FloorPlan.Default;
        var options = new RtlsSimulatorOptions
        {
            Tags = sim.Tags, IntervalMs = sim.IntervalMs, Speed = sim.Speed, NoiseStdDev = sim.Noise, DropProbability = sim.Drop,
            DuplicateProbability = sim.Duplicate, ReorderMs = sim.ReorderMs, HeartbeatMs = sim.HeartbeatMs,
            Outages = sim.Kill.Select(AnchorOutage.Parse).ToList(), Seed = sim.Seed,
        };
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var simulator = new RtlsSimulator(plan, options, now);
        var topics = new RtlsTopics(settings.DataTopic, settings.AliveTopic, settings.AnchorsTopic, sim.Key == "anchor");
        var bootstrap = wiring.Bootstrap;
        await KafkaPublisher.EnsureTopicsAsync(bootstrap,
            [new TopicSpec(topics.Data, sim.Partitions), new TopicSpec(topics.Alive, sim.Partitions), new TopicSpec(settings.AnchorsTopic, 1, Compacted: true),
             new TopicSpec(settings.OutputTopic), new TopicSpec(settings.AliveOutputTopic)], cancellationToken).ConfigureAwait(false);
        var log = wiring.Context.LoggerFactory.CreateLogger("weir.up.rtls-simulator");
        Run(async () =>
        {
            using var publisher = new KafkaPublisher(bootstrap, "weir-rtls-simulator");
            await RtlsSimulatorRunner.RunAsync(simulator, plan, publisher, topics, GeneratorSchedule.Live(options.IntervalMs) with { StartMs = now },
                null, TimeProvider.System, log, Stopping).ConfigureAwait(false);
        });
        return $"{options.Tags} tags, {plan.Anchors.Count} anchors → {topics.Data}, {topics.Alive} (anchors on {settings.AnchorsTopic})";
    }
}

/// <summary>The RTLS job inside `weir up`, and the live feed it serves in the Weir HTTP host (/rtls).</summary>
internal sealed class RtlsJobComponent(SensorPipelineWiring wiring, RtlsFeedHub hub) : BackgroundComponent
{
    private RtlsRunning? _running;
    private RtlsFeedConsumer? _feed;

    public override string Name => "rtls";

    /// <summary>The anchors the running job solves with (the default ones before it starts).</summary>
    public AnchorMap Anchors => _running?.Anchors.Current ?? AnchorMap.Default;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var context = wiring.Context;
        var settings = context.Bind<RtlsSettings>(RtlsSettings.Section);
        var run = new RtlsRun
        {
            Bootstrap = wiring.Bootstrap,
            Settings = settings,
            Parallelism = settings.Parallelism,
            CheckpointDirectory = context.DataPath(settings.CheckpointDirectory, "checkpoints", RtlsJob.JobName),
            LoggerFactory = context.LoggerFactory,
        };
        _running = await RtlsRunner.StartAsync(run, cancellationToken).ConfigureAwait(false);
        _feed = new RtlsFeedConsumer(run.Bootstrap, settings.OutputTopic, settings.AliveOutputTopic, hub, context.LoggerFactory.CreateLogger("weir.rtls.feed"));
        var job = _running.Job;
        Run(async () =>
        {
            await using (Stopping.Register(job.Cancel))
            {
                await job.Completion.ConfigureAwait(false);
            }
        });
        return $"job {RtlsJob.JobName}: {settings.DataTopic} + {settings.AliveTopic} → {settings.OutputTopic} + {settings.AliveOutputTopic}; live map at /rtls";
    }

    protected override async Task StoppedAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync().ConfigureAwait(false);
        }

        if (_running is not null)
        {
            await _running.DisposeAsync().ConfigureAwait(false);
        }
    }
}
