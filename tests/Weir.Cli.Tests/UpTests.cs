using System.Text.RegularExpressions;
using Weir.Testing;

namespace Weir.Cli.Tests;

public sealed partial class UpTests
{
    [Fact]
    public async Task Up_prints_what_it_started_and_stops_cleanly_on_SIGTERM()
    {
        using var data = new TempDirectory("up");
        using var process = WeirCli.Start(
            ["up", "--only", "http", "--data-root", data.Path],
            environment: new Dictionary<string, string> { ["WEIR_Http__Listen"] = "127.0.0.1:0" });
        var output = new LineCollector(process);
        try
        {
            var line = await output.WaitForLineAsync(l => l.TrimStart().StartsWith("http ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var address = AddressPattern().Match(line);
            Assert.True(address.Success, line);
            await output.WaitForLineAsync(l => l.Contains("press Ctrl+C to stop", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

            using var http = new HttpClient();
            var metrics = await http.GetAsync(new Uri(new Uri(address.Value), "/metrics"));
            Assert.True(metrics.IsSuccessStatusCode, $"GET /metrics: {(int)metrics.StatusCode}");
            Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);

            await ProcessRun.SignalAsync(process, "TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.ExitCode == 0, output.Text);
            Assert.Contains(output.Lines, l => l.Contains("stopped http", StringComparison.Ordinal));
            Assert.Contains(output.Lines, l => l.Contains(data.Path, StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"http://[0-9.]+:\d+/?")]
    private static partial Regex AddressPattern();
}
