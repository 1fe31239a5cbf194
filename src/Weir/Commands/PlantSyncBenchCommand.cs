using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Broker;
using Weir.Cli.Hosting;
using Weir.Services.PlantImages.Bench;

namespace Weir.Cli.Commands;

/// <summary>`weir bench plant-sync`: apply rate, and streaming against the 600 s batch job (bytes, records, staleness).</summary>
internal static class PlantSyncBenchCommand
{
    private static readonly Option<int> Changes = new("--changes")
    {
        Description = "Changes in the Kafka backlog the consumer applies for the apply-rate figures (0 skips that part). Default: 10000.",
        DefaultValueFactory = _ => 10_000,
    };

    private static readonly Option<TimeSpan?> Duration = PlantSyncCommands.Duration("--duration",
        "How long the steady workload of the streaming-vs-batch comparison runs (0 skips it). The run then waits for the next batch run. Default: 1200s.");

    private static readonly Option<double> Speed = new("--speed")
    {
        Description = "Workload speed: the original jobs' periods divided by this. Default: 400 (about 20 changes/s).",
        DefaultValueFactory = _ => 400,
    };

    private static readonly Option<TimeSpan?> BatchInterval = PlantSyncCommands.Duration("--batch-interval", "The batch job's interval. Default: 600s (the original's).");

    private static readonly Option<string> Postgres = new("--postgres")
    {
        Description = "A PostgreSQL server (connection string) to measure the apply rate on too; the benchmark works in a schema of its own and drops it. " +
            "Default: PlantSync:Bench:Postgres, else SQLite only.",
    };

    private static readonly Option<DirectoryInfo> Out = new("--out")
    {
        Description = "Folder for the report (report.md, report.svg) and the benchmark's databases. Default: <data-root>/plant/bench/<yyyyMMdd-HHmmss>.",
    };

    private static readonly Option<int> ImageSize = new("--image-size")
    {
        Description = "Width and height of the JPEG leaves in pixels. Default: 96.",
        DefaultValueFactory = _ => 96,
    };

    public static Command Create()
    {
        var command = new Command("plant-sync",
            "Benchmark the plant-image sync on embedded brokers: how many changes per second the consumer applies from a Kafka backlog " +
            "(batched transactions against one record per transaction; SQLite, and PostgreSQL with --postgres), then one steady workload " +
            "synced both by the streaming consumer and by the batch job every --batch-interval: records and bytes moved, staleness p50/p99/max. " +
            "Writes report.md and report.svg.")
        {
            Changes, Duration, Speed, BatchInterval, Postgres, Out, ImageSize,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var duration = parse.GetValue(Duration) ?? TimeSpan.FromSeconds(1200);
            var interval = parse.GetValue(BatchInterval) ?? TimeSpan.FromSeconds(600);
            var speed = parse.GetValue(Speed);
            if (parse.GetValue(Changes) < 0 || interval <= TimeSpan.Zero || !double.IsFinite(speed) || speed <= 0)
            {
                throw new CliException("--changes must be 0 or more, --batch-interval and --speed positive");
            }

            var folder = parse.GetValue(Out)?.FullName
                ?? context.DataPath(null, "plant", "bench", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var brokers = Path.Combine(folder, "brokers");
            var benchmark = new PlantSyncBenchmark(
                new PlantSyncBenchmarkOptions
                {
                    StartBroker = async ct =>
                    {
                        var server = new BrokerServer(
                            new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = Path.Combine(brokers, Guid.NewGuid().ToString("N")) },
                            NullLoggerFactory.Instance);
                        await server.StartAsync(ct).ConfigureAwait(false);
                        return (server.BootstrapServers, server);
                    },
                    WorkFolder = folder,
                    Postgres = parse.GetValue(Postgres) ?? context.Configuration["PlantSync:Bench:Postgres"],
                    ApplyChanges = parse.GetValue(Changes),
                    Duration = duration,
                    Speed = speed,
                    BatchInterval = interval,
                    ImageSize = parse.GetValue(ImageSize),
                },
                context.LoggerFactory);

            var apply = await benchmark.MeasureApplyRateAsync(cancellationToken).ConfigureAwait(false);
            var comparison = await benchmark.CompareAsync(cancellationToken).ConfigureAwait(false);
            var line = "weir bench plant-sync " + string.Join(' ', parse.Tokens.Select(t => t.Value).SkipWhile(t => t != "plant-sync").Skip(1));
            var (markdown, chart) = PlantSyncReport.Write(folder, apply, comparison, line.Trim());
            Console.WriteLine(PlantSyncReport.Markdown(apply, comparison, line.Trim()));
            Console.WriteLine($"wrote {markdown} and {chart}");
            Directory.Delete(brokers, recursive: true);
            return comparison is { StreamEqual: false } or { BatchEqual: false } ? 1 : 0;
        });
        return command;
    }
}
