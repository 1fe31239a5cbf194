using System.CommandLine;
using Weir.Broker;
using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf;
using Weir.Pipelines.Lpbf.Bench;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Orchestrator;

namespace Weir.Cli.Commands;

/// <summary>The LPBF pipeline's sub-verbs of the shared groups: `weir generate lpbf`, `weir bench lpbf ...`.</summary>
internal static class LpbfCommands
{
    public static Command Run()
    {
        var challenger = new Option<string>("--challenger") { Description = "Base URL of the challenger (without /api). Default: http://127.0.0.1:8866 or Lpbf:Challenger." };
        var bootstrap = KafkaClientOptions.Bootstrap();
        var parallelism = new Option<int>("--parallelism") { Description = "Subtasks of the job's queries operator (tiles are spread over them). Default: 1 or Lpbf:Parallelism." };
        var sourceParallelism = new Option<int>("--source-parallelism") { Description = "Subtasks of the job's raw-batch source. Default: 0 = one per four queries subtasks, or Lpbf:SourceParallelism." };
        var limit = new Option<int?>("--limit") { Description = "Run this many batches (sent as max_batches). Default: the whole stream." };
        var prefetch = new Option<int>("--prefetch") { Description = "Batches fetched and not yet answered, at most (latency counts from the fetch). Default: 3." };
        var job = new Option<string>("--job") { Description = "inline: run the job in this process too (default); external: a job already runs (e.g. `weir up`'s lpbf component)." };
        var token = new Option<string>("--token") { Description = "API token. Default: polimi-deib (any token works locally)." };
        var name = new Option<string>("--name") { Description = "Benchmark name shown by the challenger. Default: weir-lpbf." };
        var command = new Command(
            "lpbf",
            "Run a DEBS 2025 benchmark end to end: create and start it at the challenger, fetch batches (bounded prefetch), " +
            "produce them to raw-batch, let the job compute Q1/Q2/Q3, post every result from the results topic, end the " +
            "benchmark and print its metrics.")
        {
            challenger, bootstrap, parallelism, sourceParallelism, limit, prefetch, job, token, name,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = LpbfSettings.From(context);
            var url = parse.Or(challenger, settings.Challenger);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var challengerUri) || (challengerUri.Scheme != "http" && challengerUri.Scheme != "https"))
            {
                throw new CliException($"--challenger must be an http:// URL, not '{url}'");
            }

            var jobOptions = settings.Job(context) with
            {
                BootstrapServers = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap),
                Parallelism = parse.Or(parallelism, settings.Parallelism),
                SourceParallelism = parse.Or(sourceParallelism, settings.SourceParallelism),
            };
            var mode = parse.Or(job, "inline");
            if (mode is not ("inline" or "external"))
            {
                throw new CliException($"--job is inline or external, not '{mode}'");
            }

            if (jobOptions.Parallelism < 1 || parse.GetValue(limit) is < 1)
            {
                throw new CliException("--parallelism and --limit must be positive");
            }

            if (jobOptions.SourceParallelism < 0)
            {
                throw new CliException($"--source-parallelism must be 0 (one per four queries subtasks) or more, not {jobOptions.SourceParallelism}");
            }

            var orchestratorOptions = new OrchestratorOptions
            {
                Challenger = challengerUri,
                BootstrapServers = jobOptions.BootstrapServers,
                Topics = jobOptions.Topics,
                Limit = parse.GetValue(limit),
                Prefetch = Math.Max(1, parse.Or(prefetch, settings.Prefetch)),
                ApiToken = parse.Or(token, "polimi-deib"),
                Name = parse.Or(name, "weir-lpbf"),
                Partitions = jobOptions.Parallelism,
            };
            var report = await LpbfRun.RunAsync(jobOptions, orchestratorOptions, inlineJob: mode == "inline", context.LoggerFactory, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(LpbfRun.Describe(report));
            return 0;
        });
        return command;
    }

    public static Command Bench()
    {
        var command = new Command("lpbf", "LPBF (DEBS 2025) benchmarks: per-tile kernels against numpy (tile), the whole pipeline end to end (pipeline).");
        command.Subcommands.Add(BenchTile());
        command.Subcommands.Add(BenchPipeline());
        return command;
    }

    private static Command BenchPipeline()
    {
        var batches = new Option<int>("--batches") { Description = "Batches per run. Default: 3600 (the whole challenge stream).", DefaultValueFactory = _ => 3600 };
        var parallelism = new Option<int[]>("--parallelism") { Description = "Job parallelism of each run. Default: 1 2.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 2] };
        var python = new Option<int>("--python-batches") { Description = "Batches for the Python challenge client baseline (0 = skip). Default: 160.", DefaultValueFactory = _ => 160 };
        var prefetch = new Option<int>("--prefetch") { Description = "Orchestrator prefetch. Default: 3.", DefaultValueFactory = _ => 3 };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Batches of an uncounted first run that compiles the hot code before the measured runs (0 = none). Default: 1000.",
            DefaultValueFactory = _ => 1000,
        };
        var fsync = new Option<FsyncPolicy>("--fsync")
        {
            Description = "The broker's fsync policy (as `weir broker --fsync`). Default: Interval, the broker's default.",
            DefaultValueFactory = _ => FsyncPolicy.Interval,
        };
        var pageCacheWindow = new Option<long>("--page-cache-window")
        {
            Description = "The broker's page-cache window per partition in bytes (Broker:PageCacheWindowBytes; -1 leaves the cache to the OS). Default: 67108864, the broker's default.",
            DefaultValueFactory = _ => new BrokerOptions().PageCacheWindowBytes,
        };
        var sendFile = new Option<int>("--sendfile-min-batch-bytes")
        {
            Description = "Batches at least this large go to consumers with sendfile (Broker:SendFileMinBatchBytes; 0 copies all). Default: 65536, the broker's default.",
            DefaultValueFactory = _ => new BrokerOptions().SendFileMinBatchBytes,
        };
        var command = new Command(
            "pipeline",
            "Run the whole LPBF system in this process (emulator, Weir's broker over TCP, the job, the orchestrator) over the " +
            "challenge stream at each parallelism and print the challenger's throughput and latency figures, with a " +
            "participant-style Python client on the same emulator as the baseline.")
        {
            batches, parallelism, python, prefetch, warmup, fsync, pageCacheWindow, sendFile,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = new LpbfPipelineBenchmark.Options(
                context.DataPath(null, "bench", "lpbf-pipeline"), parse.GetValue(batches), parse.GetValue(parallelism) ?? [1, 2], parse.GetValue(python), parse.GetValue(prefetch), parse.GetValue(warmup), parse.GetValue(fsync), parse.GetValue(pageCacheWindow), parse.GetValue(sendFile));
            if (options.Batches < 1 || options.Parallelism.Any(p => p < 1) || options.Warmup < 0)
            {
                throw new CliException("--batches and --parallelism must be positive, --warmup zero or more");
            }

            Console.Write(await LpbfPipelineBenchmark.RunAsync(options, context.LoggerFactory, cancellationToken).ConfigureAwait(false));
            return 0;
        });
        return command;
    }

    private static Command BenchTile()
    {
        var layers = new Option<int>("--layers") { Description = "Layers of generated tiles to time (16 tiles each; the first two fill the windows). Default: 12.", DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated tiles. Default: 2025.", DefaultValueFactory = _ => 2025 };
        var noPython = new Option<bool>("--no-python") { Description = "Time Weir's kernels only, without the numpy baseline." };
        var command = new Command(
            "tile",
            "Time decode + Q1 + Q2 + Q3 per tile on one thread, for Weir's kernels and for a numpy/scipy/scikit-learn " +
            "implementation of the same definition (Debian python3-numpy, python3-scipy, python3-sklearn, python3-pil), on the same tiles.")
        {
            layers, seed, noPython,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = new TileBenchmark.Options(context.DataPath(null, "bench", "lpbf-tiles"), parse.GetValue(layers), parse.GetValue(seed), SkipPython: parse.GetValue(noPython));
            if (options.Layers < 3)
            {
                throw new CliException("--layers must be at least 3 (a window needs three layers)");
            }

            Console.Write(await TileBenchmark.RunAsync(options, Console.Out, cancellationToken).ConfigureAwait(false));
            return 0;
        });
        return command;
    }

    public static Command Generate()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the tiles to (L<layer>-T<tile>.tif). Required.", Required = true };
        var layers = new Option<int>("--layers") { Description = "Layers to write, 16 tiles each. Default: 225.", DefaultValueFactory = _ => LpbfConstants.Layers };
        var seed = new Option<int>("--seed") { Description = "Seed of the print. Default: 2025.", DefaultValueFactory = _ => 2025 };
        var printId = new Option<string>("--print-id") { Description = "Print id (used by the emulator when it serves the folder). Default: SI266220200309225433.", DefaultValueFactory = _ => LpbfConstants.DefaultPrintId };
        var command = new Command(
            "lpbf",
            "Write the generated LPBF print as a folder of 16-bit Deflate TIFF tiles named L<layer>-T<tile>.tif, the layout " +
            "`weir challenger --tiles DIR` serves. The same seed always gives the same files.")
        {
            output, layers, seed, printId,
        };
        command.SetVerbAction(async (_, parse, cancellationToken) =>
        {
            var options = new GeneratorOptions { Layers = parse.GetValue(layers), Seed = parse.GetValue(seed), PrintId = parse.GetValue(printId)! };
            if (options.Layers <= 0)
            {
                throw new CliException($"--layers must be positive, not {options.Layers}");
            }

            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var dataSet = new GeneratedDataSet(options, folder);
            var started = DateTime.UtcNow;
            await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);

            // The data set writes into a sub-folder named after its options; move the tiles up to the folder asked for.
            foreach (var file in Directory.EnumerateFiles(dataSet.Folder))
            {
                File.Move(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }

            Directory.Delete(dataSet.Folder);
            Console.WriteLine($"wrote {dataSet.Count} tiles to {folder} in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }
}
