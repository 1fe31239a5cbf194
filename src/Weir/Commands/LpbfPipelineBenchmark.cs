using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Weir.Broker;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Job;
using Weir.Pipelines.Lpbf.Orchestrator;
using Weir.Services.Challenger;

namespace Weir.Cli.Commands;

/// <summary>
/// <c>weir bench lpbf pipeline</c>: the whole system in one process on this machine — the emulator, Weir's broker
/// over TCP, the job on the engine and the orchestrator — for the full 3600-batch stream at each parallelism,
/// with the challenger's own throughput and latency figures; and, as the baseline in the same run, a
/// participant-style Python client (requests, msgpack, Pillow, numpy/scipy/scikit-learn) on the same emulator.
/// An optional uncounted warm-up run first lets the JIT compile the hot code, as any steady-state benchmark does;
/// each row also reports the process's CPU time per batch and its garbage collections, which show where a
/// change helped even when the shared machine's wall-clock figures are noisy.
/// </summary>
internal static class LpbfPipelineBenchmark
{
    public sealed record Options(string Folder, int Batches, IReadOnlyList<int> Parallelism, int PythonBatches, int Prefetch, int Warmup, FsyncPolicy Fsync, long PageCacheWindowBytes, int SendFileMinBatchBytes);

    public static async Task<string> RunAsync(Options options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var layers = (options.Batches + 15) / 16;
        var challengerOptions = new ChallengerOptions { Listen = "127.0.0.1:0", Layers = layers };
        var challengerDir = Path.Combine(options.Folder, "challenger");
        var dataSet = (GeneratedDataSet)ChallengerService.CreateDataSet(challengerOptions, challengerDir);
        Console.WriteLine($"data: {dataSet.Description} (writing what is missing)");
        await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);

        var brokerDir = Path.Combine(options.Folder, $"broker-{Guid.NewGuid():N}");
        var broker = new BrokerServer(new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = brokerDir, Fsync = options.Fsync, PageCacheWindowBytes = options.PageCacheWindowBytes, SendFileMinBatchBytes = options.SendFileMinBatchBytes }, loggerFactory);
        await broker.StartAsync(cancellationToken).ConfigureAwait(false);
        var challenger = await ChallengerService.StartAsync(challengerOptions, challengerDir, loggerFactory, null, cancellationToken).ConfigureAwait(false);
        var rows = new List<string>();
        try
        {
            if (options.Warmup > 0)
            {
                var warmup = options with { Batches = Math.Min(options.Warmup, options.Batches) };
                var first = options.Parallelism[0];
                rows.Add(await RunWeirAsync(warmup, broker.BootstrapServers, challenger.Address, first, $"warm-up (not counted), parallelism {first}", loggerFactory, cancellationToken).ConfigureAwait(false));
            }

            foreach (var parallelism in options.Parallelism)
            {
                rows.Add(await RunWeirAsync(options, broker.BootstrapServers, challenger.Address, parallelism, $"Weir, parallelism {parallelism}", loggerFactory, cancellationToken).ConfigureAwait(false));
            }

            if (options.PythonBatches > 0)
            {
                rows.Add(await RunPythonAsync(challenger.Address, options.PythonBatches, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            await challenger.DisposeAsync().ConfigureAwait(false);
            await broker.DisposeAsync().ConfigureAwait(false);
            TryDelete(brokerDir);
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"LPBF end to end on this machine ({Environment.ProcessorCount} cores): emulator + broker + job + orchestrator in one process; figures from the challenger's /end");
        text.AppendLine(CultureInfo.InvariantCulture, $"runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, latency mode {System.Runtime.GCSettings.LatencyMode}, tier-1 call counting delay {(Environment.GetEnvironmentVariable("DOTNET_TC_CallCountingDelayMs") is { } delay ? delay + " ms" : "100 ms (runtime default)")}, prefetch {options.Prefetch}, broker fsync {options.Fsync}, page-cache window {(options.PageCacheWindowBytes < 0 ? "none (left to the OS)" : $"{options.PageCacheWindowBytes} bytes")}, sendfile for batches of {(options.SendFileMinBatchBytes > 0 ? $"{options.SendFileMinBatchBytes} bytes or more" : "none")}, data under {options.Folder}");
        text.AppendLine("| run | batches | throughput (batches/s) | latency mean | p99 | max | missing | process CPU per batch | allocated per batch | GCs gen0/1/2 | GC pauses |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        return text.ToString();
    }

    private static async Task<string> RunWeirAsync(Options options, string bootstrap, Uri challenger, int parallelism, string name, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // Fresh topics per run, so that raw-batch has one partition per subtask and nothing is left from before.
        var suffix = $"-bench-p{parallelism}-{Guid.NewGuid():N}"[..20];
        var topics = new LpbfTopics
        {
            RawBatch = "raw-batch" + suffix,
            Results = "results" + suffix,
            SaturatedPixels = "saturated-pixels" + suffix,
            SaturatedRank = "saturated-rank" + suffix,
            DeadLetters = "lpbf-dlq" + suffix,
        };
        var before = ProcessFigures.Now();
        var jobOptions = new LpbfJobOptions { BootstrapServers = bootstrap, Parallelism = parallelism, Topics = topics, GroupId = "lpbf-bench" + suffix };
        var report = await LpbfRun.RunAsync(
            jobOptions,
            new OrchestratorOptions
            {
                Challenger = challenger,
                BootstrapServers = bootstrap,
                Topics = topics,
                Limit = options.Batches,
                Prefetch = options.Prefetch,
                Name = $"weir-bench-p{parallelism}",
                Partitions = parallelism,
            },
            inlineJob: true,
            loggerFactory,
            cancellationToken).ConfigureAwait(false);
        var used = ProcessFigures.Now() - before;
        return Row(name, report.EndResponse)
            + string.Create(CultureInfo.InvariantCulture, $" {used.Cpu.TotalMilliseconds / Math.Max(1, report.Posted):F2} ms | {used.Allocated / 1024.0 / Math.Max(1, report.Posted):F0} KiB | {used.Gen0}/{used.Gen1}/{used.Gen2} | {used.GcPause.TotalMilliseconds:F0} ms |");
    }

    private static async Task<string> RunPythonAsync(Uri challenger, int batches, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "lpbf");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(folder, "challenge_client.py"), challenger.ToString().TrimEnd('/'), "--limit", batches.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PYTHONPATH"] = folder;
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("Result: ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the Python baseline client failed (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return Row("Python challenge client (numpy/scipy/scikit-learn), baseline", line["Result: ".Length..]) + " | | | |";
    }

    private static string Row(string name, string endResponse)
    {
        using var json = JsonDocument.Parse(endResponse);
        var m = json.RootElement.GetProperty("0");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {m.GetProperty("count")} | {m.GetProperty("throughput").GetDouble():F1} | {m.GetProperty("latency_mean").GetString()} | {m.GetProperty("latency_p99").GetString()} | {m.GetProperty("latency_max").GetString()} | {m.GetProperty("missing")} |");
    }

    /// <summary>What this process has used so far: CPU time of all its threads, bytes allocated, collections per generation, GC pauses.</summary>
    private readonly record struct ProcessFigures(TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan GcPause)
    {
        public static ProcessFigures Now()
        {
            using var process = Process.GetCurrentProcess();
            return new(process.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        }

        public static ProcessFigures operator -(ProcessFigures a, ProcessFigures b) =>
            new(a.Cpu - b.Cpu, a.Allocated - b.Allocated, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.GcPause - b.GcPause);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
