using System.Text.RegularExpressions;
using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>The factory verbs as a user runs them: the built weir program, real flags, real files, HTTP on 127.0.0.1.</summary>
public sealed partial class FactoryCliTests
{
    [Fact]
    public async Task Serve_factory_api_fills_an_empty_source_folder_and_streams_each_file()
    {
        using var data = new TempDirectory("factory-cli");
        using var process = WeirCli.Start(["serve", "factory-api", "--listen", "127.0.0.1:0", "--delay", "0", "--data-root", data.Path]);
        var output = new LineCollector(process);
        try
        {
            var line = await output.WaitForLineAsync(l => l.Contains("/stream_data_workorder", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var url = UrlPattern().Match(line).Value;

            using var http = new HttpClient();
            var body = await http.GetStringAsync(new Uri(url));

            Assert.Equal(576, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.True(File.Exists(Path.Combine(data.Path, "factory", "source", "metrics.json")));
            Assert.Contains("(576 records)", line, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Up_runs_the_factory_api_from_configuration()
    {
        using var data = new TempDirectory("factory-cli");
        var result = await WeirCli.RunAsync(["generate", "factory", "--cycles", "3", "--data-root", data.Path], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Describe());
        using var process = WeirCli.Start(
            ["up", "--only", "factory-api", "--data-root", data.Path],
            environment: new Dictionary<string, string> { ["WEIR_Factory__Api__Listen"] = "127.0.0.1:0", ["WEIR_Factory__Api__Delay"] = "0" });
        var output = new LineCollector(process);
        try
        {
            var line = await output.WaitForLineAsync(l => l.TrimStart().StartsWith("factory-api ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var address = new Uri(UrlPattern().Match(line).Value);

            using var http = new HttpClient();
            var body = await http.GetStringAsync(new Uri(address, "/stream_data_workorder"));

            Assert.Equal(6, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // 3 cycles × 2 products
            await ProcessRun.SignalAsync(process, "TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.ExitCode == 0, output.Text);
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
    public async Task A_negative_delay_is_refused_with_one_line()
    {
        using var data = new TempDirectory("factory-cli");

        var result = await WeirCli.RunAsync(["serve", "factory-api", "--delay", "-1", "--data-root", data.Path], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("weir: --delay must be 0 or more seconds, not -1", result.StandardError.Trim());
    }

    [GeneratedRegex(@"http://[0-9.]+:\d+/[^\s]*")]
    private static partial Regex UrlPattern();
}
