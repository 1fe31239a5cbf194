using System.Text.Json;
using System.Text.RegularExpressions;
using Weir.Testing;

namespace Weir.Rtls.Tests;

/// <summary>`weir up` runs the simulator and the job; the live feed shows positions.</summary>
public sealed partial class UpTests
{
    [Fact]
    public async Task Weir_up_runs_the_simulator_the_job_and_the_live_feed()
    {
        using var data = new TempDirectory("rtls-up");
        using var process = WeirCli.Start(
            ["up", "--only", "broker,http,rtls-simulator,rtls", "--data-root", data.Path],
            environment: new Dictionary<string, string> { ["WEIR_Http__Listen"] = "127.0.0.1:0", ["WEIR_Broker__Listen"] = "127.0.0.1:0" });
        var output = new LineCollector(process);
        try
        {
            var line = await output.WaitForLineAsync(l => l.TrimStart().StartsWith("http ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var address = new Uri(AddressPattern().Match(line).Value);
            await output.WaitForLineAsync(l => l.Contains("press Ctrl+C to stop", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

            using var http = new HttpClient { BaseAddress = address };
            var latest = "";
            await Eventually.HoldsAsync(async () =>
            {
                latest = await http.GetStringAsync(new Uri("/rtls/latest", UriKind.Relative));
                return JsonDocument.Parse(latest).RootElement.EnumerateArray().Count(e => e.GetProperty("event").GetString() == "position") == 6;
            }, TimeSpan.FromSeconds(60), () => latest + "\n" + output.Text, TimeSpan.FromMilliseconds(500));
            Assert.Contains("A0", await http.GetStringAsync(new Uri("/rtls/anchors", UriKind.Relative)), StringComparison.Ordinal);

            Assert.True(await WeirCli.StopAsync(process, TimeSpan.FromSeconds(30)) == 0, output.Text);
            Assert.Contains(output.Lines, l => l.Contains("stopped rtls", StringComparison.Ordinal));
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
