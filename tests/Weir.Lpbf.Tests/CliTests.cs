using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Weir.Services.Challenger;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

public sealed partial class CliTests
{
    [Fact]
    public async Task Weir_challenger_serves_until_SIGTERM_and_keeps_its_runs_in_the_data_root()
    {
        using var data = new TempDirectory("cli-challenger");
        using var process = WeirCli.Start(["challenger", "--listen", "127.0.0.1:0", "--layers", "1", "--data-root", data.Path]);
        var output = new LineCollector(process);
        try
        {
            var line = await output.WaitForLineAsync(l => l.StartsWith("Local Challenger at ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var url = Address().Match(line).Value;
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var create = await http.PostAsJsonAsync("/api/create", new { apitoken = "polimi-deib", name = "cli", test = true });
            var id = await create.Content.ReadFromJsonAsync<string>();
            var history = await http.GetFromJsonAsync<JsonElement>("/api/history");
            Assert.Equal(id, history[0].GetProperty("bench_id").GetString());

            await ProcessRun.SignalAsync(process, "TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.ExitCode == 0, output.Text);
            Assert.True(File.Exists(Path.Combine(data.Path, "challenger", "benches", id!, "bench.json")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Weir_generate_lpbf_writes_a_tile_folder_that_weir_challenger_can_serve()
    {
        using var data = new TempDirectory("cli-generate");
        var folder = Path.Combine(data.Path, "tiles");
        var result = await WeirCli.RunAsync(["generate", "lpbf", "--out", folder, "--layers", "1", "--seed", "3"], TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, result.Describe());
        var names = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 16).Select(t => $"L0000-T{t:D2}.tif"), names);

        var missing = await WeirCli.RunAsync(["challenger", "--tiles", Path.Combine(data.Path, "nope"), "--data-root", data.Path], TimeSpan.FromMinutes(1));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weir_up_with_the_lpbf_job_and_weir_run_lpbf_complete_320_batches_with_none_missing()
    {
        using var data = new TempDirectory("cli-lpbf");
        var brokerPort = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["WEIR_Broker__Listen"] = $"127.0.0.1:{brokerPort}",
            ["WEIR_Challenger__Listen"] = "127.0.0.1:0",
            ["WEIR_Challenger__Layers"] = "20",
            ["WEIR_Lpbf__BootstrapServers"] = $"127.0.0.1:{brokerPort}",
        };
        using var up = WeirCli.Start(["up", "--only", "broker,challenger,lpbf", "--data-root", data.Path], environment: environment);
        var output = new LineCollector(up);
        try
        {
            var challenger = Address().Match(await output.WaitForLineAsync(l => l.TrimStart().StartsWith("challenger ", StringComparison.Ordinal), TimeSpan.FromSeconds(90))).Value;
            await output.WaitForLineAsync(l => l.Contains("press Ctrl+C to stop", StringComparison.Ordinal), TimeSpan.FromSeconds(90));

            var run = await WeirCli.RunAsync(
                ["run", "lpbf", "--challenger", challenger, "--bootstrap", $"127.0.0.1:{brokerPort}", "--limit", "320", "--job", "external", "--data-root", data.Path],
                TimeSpan.FromMinutes(5));
            Assert.True(run.ExitCode == 0, run.Describe() + "\n--- weir up\n" + output.Text);
            Assert.Contains("320 of 320 batches answered", run.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("count 320, missing 0", run.StandardOutput, StringComparison.Ordinal);

            await ProcessRun.SignalAsync(up, "TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await up.WaitForExitAsync(exit.Token);
            Assert.True(up.ExitCode == 0, output.Text);
            Assert.Contains(output.Lines, l => l.Contains("stopped lpbf", StringComparison.Ordinal));
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// <c>weir bench lpbf pipeline</c> runs the emulator, the broker, the job and the orchestrator in one process.
    /// Capped at two pool threads, what the runtime starts with on two cores, every batch must still be answered
    /// without waiting for the pool: the orchestrator's blocking waits once held both threads at the end of a run, so
    /// the broker could not acknowledge the last batches and they waited 30 s, until the final flush gave up. The
    /// bound below is a liveness check with a wide margin (batches take milliseconds), not a performance figure.
    /// </summary>
    [Fact]
    public async Task The_whole_lpbf_system_in_one_process_answers_every_batch_with_only_two_pool_threads()
    {
        using var data = new TempDirectory("cli-lpbf-pool");
        var result = await WeirCli.RunAsync(
            ["bench", "lpbf", "pipeline", "--batches", "64", "--warmup", "0", "--parallelism", "1", "--python-batches", "0", "--data-root", data.Path],
            TimeSpan.FromMinutes(5),
            environment: new Dictionary<string, string> { ["DOTNET_ThreadPool_ForceMaxWorkerThreads"] = "2" });
        Assert.True(result.ExitCode == 0, result.Describe());

        // | run | batches | throughput | latency mean | p99 | max | missing | ...
        var row = result.StandardOutput.Split('\n').Single(l => l.StartsWith("| Weir, parallelism 1 |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal("64", row[2]);
        Assert.Equal("0", row[7]);
        var slowest = TimeSpan.FromTicks(DurationText.Parse(row[6]) / 100);
        Assert.True(slowest < TimeSpan.FromSeconds(10), $"a batch waited {slowest} for its result\n{result.Describe()}");
    }

    [Fact]
    public async Task Weir_run_lpbf_names_an_unreachable_challenger()
    {
        using var data = new TempDirectory("cli-lpbf-down");
        await using var broker = await EmbeddedBroker.StartAsync();
        var result = await WeirCli.RunAsync(
            ["run", "lpbf", "--challenger", $"http://127.0.0.1:{FreePort()}", "--bootstrap", broker.BootstrapServers, "--job", "external", "--data-root", data.Path],
            TimeSpan.FromMinutes(2));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Connection refused", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weir_run_lpbf_refuses_a_negative_source_parallelism()
    {
        using var data = new TempDirectory("cli-lpbf-source");
        var result = await WeirCli.RunAsync(
            ["run", "lpbf", "--source-parallelism", "-1", "--job", "external", "--data-root", data.Path],
            TimeSpan.FromMinutes(2));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--source-parallelism must be 0", result.StandardError, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"http://[0-9.]+:\d+")]
    private static partial Regex Address();
}
