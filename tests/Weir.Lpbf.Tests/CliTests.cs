using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    [GeneratedRegex(@"http://[0-9.]+:\d+")]
    private static partial Regex Address();
}
