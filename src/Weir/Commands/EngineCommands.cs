using System.CommandLine;
using Weir.Cli.Engine;
using Weir.Cli.Hosting;
using Weir.Connectors.Kafka;
using Weir.Pipelines.Shared;
using Weir.Services.Http;
using Weir.Services.Jobs;
using Weir.Services.Metrics;

namespace Weir.Cli.Commands;

/// <summary>The engine's own verbs: `weir run window-demo` and `weir bench engine`.</summary>
internal static class EngineCommands
{
    public static Command RunWindowDemo()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var input = new Option<string>("--input") { Description = "Topic of JSON readings {\"sensor\",\"value\",\"time\"}. Default: demo-events.", DefaultValueFactory = _ => "demo-events" };
        var output = new Option<string>("--output") { Description = "Topic for window results (JSON, keyed by a deterministic id). Default: demo-windows.", DefaultValueFactory = _ => "demo-windows" };
        var dlq = new Option<string>("--dead-letters") { Description = "Topic for records that cannot be read. Default: window-demo-dlq; 'none' to only log them.", DefaultValueFactory = _ => "window-demo-dlq" };
        var parallelism = new Option<int>("--parallelism", "-p") { Description = "Parallel subtasks per operator. Default: 1.", DefaultValueFactory = _ => 1 };
        var window = new Option<string>("--window") { Description = "Tumbling event-time window size (1s, 500ms, 1m). Default: 1s.", DefaultValueFactory = _ => "1s" };
        var outOfOrder = new Option<string>("--out-of-orderness") { Description = "How far behind the newest reading a reading may arrive. Default: 1s.", DefaultValueFactory = _ => "1s" };
        var idleness = new Option<string>("--idleness") { Description = "Mark a partition idle after this long without readings. Default: never." };
        var interval = new Option<string>("--checkpoint-interval") { Description = "Time between checkpoints; 0 turns them off. Default: 1s.", DefaultValueFactory = _ => "1s" };
        var checkpoints = new Option<string>("--checkpoint-dir") { Description = "Where checkpoints go. Default: <data-root>/checkpoints/window-demo." };
        var from = new Option<string>("--from") { Description = "Where to start without a checkpoint: earliest or latest. Default: earliest.", DefaultValueFactory = _ => "earliest" };
        var stopAtEnd = new Option<bool>("--stop-at-end") { Description = "Read up to the end offsets the input has at start, fire every window, then stop." };
        var http = new Option<string>("--http") { Description = "Serve /api/jobs and /metrics on host:port (port 0 = any free port; the address is printed)." };
        var command = new Command(
            "window-demo",
            "Run the engine's demonstration job: JSON readings from a topic, tumbling event-time windows per sensor (count, min, max, mean), results to a topic, with checkpoints. Stop it with Ctrl+C or `weir jobs cancel window-demo`.")
        {
            bootstrap, input, output, dlq, parallelism, window, outOfOrder, idleness, interval, checkpoints, from, stopAtEnd, http,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var checkpointMs = Durations.ParseMs(parse.GetValue(interval)!);
            var settings = new WindowDemoSettings
            {
                Bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap),
                Input = parse.GetValue(input)!,
                Output = parse.GetValue(output)!,
                DeadLetterTopic = parse.GetValue(dlq) is "none" or "" ? null : parse.GetValue(dlq),
                Parallelism = parse.GetValue(parallelism) is var p and >= 1 ? p : throw new CliException("--parallelism must be at least 1"),
                Window = TimeSpan.FromMilliseconds(Durations.ParseMs(parse.GetValue(window)!)),
                OutOfOrderness = TimeSpan.FromMilliseconds(Durations.ParseMs(parse.GetValue(outOfOrder)!)),
                Idleness = parse.GetValue(idleness) is { } idle ? TimeSpan.FromMilliseconds(Durations.ParseMs(idle)) : null,
                CheckpointInterval = checkpointMs > 0 ? TimeSpan.FromMilliseconds(checkpointMs) : null,
                CheckpointDirectory = checkpointMs > 0 ? context.DataPath(parse.GetValue(checkpoints), "checkpoints", "window-demo") : null,
                StartFrom = parse.GetValue(from) switch
                {
                    "earliest" => KafkaStartOffsets.Earliest,
                    "latest" => KafkaStartOffsets.Latest,
                    var other => throw new CliException($"--from: '{other}' is neither earliest nor latest"),
                },
                StopAtEnd = parse.GetValue(stopAtEnd),
            };
            await RunAsync(context, settings, parse.GetValue(http), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(WeirContext context, WindowDemoSettings settings, string? httpListen, CancellationToken cancellationToken)
    {
        using var deadLetters = settings.DeadLetterTopic is { } topic ? new KafkaDeadLetterSink(settings.Bootstrap, topic) : null;
        using var metrics = new PrometheusCollector();
        WeirHttpHost? host = null;
        try
        {
            if (httpListen is not null)
            {
                host = await WeirHttpHost.StartAsync(new HttpOptions { Listen = httpListen }, context.LoggerFactory, [new JobsEndpointModule()], metrics, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"http: {host.Address}");
            }

            var env = WindowDemoJob.Build(settings, context.LoggerFactory, deadLetters);
            await using var job = env.Start();
            await using (cancellationToken.Register(job.Cancel))
            {
                await job.Running.ConfigureAwait(false);
                Console.WriteLine(
                    $"job {job.Id} running: {settings.Input} -> windows of {settings.Window.TotalMilliseconds} ms -> {settings.Output}, parallelism {settings.Parallelism}" +
                    (settings.CheckpointDirectory is { } dir ? $", checkpoints every {settings.CheckpointInterval!.Value.TotalMilliseconds} ms in {dir}" : ", no checkpoints") +
                    (job.RestoredFromCheckpoint is { } restored ? $", resumed from checkpoint {restored}" : ""));
                try
                {
                    await job.Completion.ConfigureAwait(false);
                    Console.WriteLine($"job {job.Id} finished");
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine($"job {job.Id} cancelled");
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public static Command Bench()
    {
        var bootstrap = new Option<string>("--bootstrap") { Description = "Benchmark against this Kafka cluster. Default: an embedded broker in a temporary folder." };
        var events = new Option<int>("--events") { Description = "Readings in the throughput backlog. Default: 1000000.", DefaultValueFactory = _ => 1_000_000 };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the input topics. Default: 4.", DefaultValueFactory = _ => 4 };
        var sensors = new Option<int>("--sensors") { Description = "Distinct keys. Default: 1000.", DefaultValueFactory = _ => 1_000 };
        var parallelism = new Option<string>("--parallelism") { Description = "Parallelisms to measure, comma-separated. Default: 1,2.", DefaultValueFactory = _ => "1,2" };
        var rate = new Option<int>("--rate") { Description = "Readings per second in the latency phase. Default: 20000.", DefaultValueFactory = _ => 20_000 };
        var duration = new Option<string>("--duration") { Description = "Length of each latency measurement. Default: 20s.", DefaultValueFactory = _ => "20s" };
        var command = new Command(
            "engine",
            "End-to-end engine benchmark through a Kafka broker: readings topic -> keyed one-second windows -> results topic. Prints throughput (events/s) and latency (p50/p99 of processing time minus watermark) per parallelism.")
        {
            bootstrap, events, partitions, sensors, parallelism, rate, duration,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = new EngineBenchSettings
            {
                Bootstrap = parse.GetValue(bootstrap),
                Events = parse.GetValue(events),
                Partitions = parse.GetValue(partitions),
                Sensors = parse.GetValue(sensors),
                Parallelisms = [.. parse.GetValue(parallelism)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
                    int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new CliException($"--parallelism: '{p}' is not a positive number"))],
                Rate = parse.GetValue(rate),
                LatencyDuration = TimeSpan.FromMilliseconds(Durations.ParseMs(parse.GetValue(duration)!)),
            };
            await EngineBenchmark.RunAsync(settings, context.LoggerFactory, Console.Out, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
