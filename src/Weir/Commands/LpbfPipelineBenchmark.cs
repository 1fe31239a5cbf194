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
/// </summary>
internal static class LpbfPipelineBenchmark
{
    public sealed record Options(string Folder, int Batches, IReadOnlyList<int> Parallelism, int PythonBatches, int Prefetch);

    public static async Task<string> RunAsync(Options options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var layers = (options.Batches + 15) / 16;
        var challengerOptions = new ChallengerOptions { Listen = "127.0.0.1:0", Layers = layers };
        var challengerDir = Path.Combine(options.Folder, "challenger");
        var dataSet = (GeneratedDataSet)ChallengerService.CreateDataSet(challengerOptions, challengerDir);
        Console.WriteLine($"data: {dataSet.Description} (writing what is missing)");
        await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);

        var brokerDir = Path.Combine(options.Folder, $"broker-{Guid.NewGuid():N}");
        var broker = new BrokerServer(new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = brokerDir }, loggerFactory);
        await broker.StartAsync(cancellationToken).ConfigureAwait(false);
        var challenger = await ChallengerService.StartAsync(challengerOptions, challengerDir, loggerFactory, null, cancellationToken).ConfigureAwait(false);
        var rows = new List<string>();
        try
        {
            foreach (var parallelism in options.Parallelism)
            {
                rows.Add(await RunWeirAsync(options, broker.BootstrapServers, challenger.Address, parallelism, loggerFactory, cancellationToken).ConfigureAwait(false));
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
        text.AppendLine("| run | batches | throughput (batches/s) | latency mean | p99 | max | missing |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        return text.ToString();
    }

    private static async Task<string> RunWeirAsync(Options options, string bootstrap, Uri challenger, int parallelism, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
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
        return Row($"Weir, parallelism {parallelism}", report.EndResponse);
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

        return Row("Python challenge client (numpy/scipy/scikit-learn), baseline", line["Result: ".Length..]);
    }

    private static string Row(string name, string endResponse)
    {
        using var json = JsonDocument.Parse(endResponse);
        var m = json.RootElement.GetProperty("0");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {m.GetProperty("count")} | {m.GetProperty("throughput").GetDouble():F1} | {m.GetProperty("latency_mean").GetString()} | {m.GetProperty("latency_p99").GetString()} | {m.GetProperty("latency_max").GetString()} | {m.GetProperty("missing")} |");
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
