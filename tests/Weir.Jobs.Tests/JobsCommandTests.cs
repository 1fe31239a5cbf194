using Weir.Testing;

namespace Weir.Jobs.Tests;

/// <summary>`weir jobs list|cancel` against a `weir run window-demo` process serving /api/jobs.</summary>
public sealed class JobsCommandTests
{
    [Fact]
    public async Task Jobs_list_shows_the_running_job_and_jobs_cancel_stops_it()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var data = new TempDirectory("jobs");
        await DemoTopics.CreateAsync(broker, ("demo-events", 2), ("demo-windows", 1));
        await DemoTopics.ProduceAsync(broker, "demo-events", 5_000, 2);

        using var process = WeirCli.Start(
        [
            "run", "window-demo", "--bootstrap", broker.BootstrapServers, "--parallelism", "2", "--http", "127.0.0.1:0",
            "--checkpoint-interval", "100ms", "--data-root", data.Path,
        ]);
        var lines = new LineCollector(process);
        try
        {
            var url = (await lines.WaitForLineAsync(l => l.StartsWith("http: ", StringComparison.Ordinal), TimeSpan.FromMinutes(1)))["http: ".Length..].Trim();
            await lines.WaitForLineAsync(l => l.Contains(" running: ", StringComparison.Ordinal), TimeSpan.FromMinutes(1));

            ProcessResult list = null!;
            await Eventually.HoldsAsync(
                async () =>
                {
                    list = await WeirCli.RunAsync(["jobs", "list", "--url", url], TimeSpan.FromMinutes(1));
                    return list.ExitCode == 0 && list.StandardOutput.Contains("checkpoint ", StringComparison.Ordinal)
                        && list.StandardOutput.Contains("5,000", StringComparison.Ordinal);
                },
                TimeSpan.FromMinutes(1),
                () => list.Describe());
            Assert.Contains("window-demo-1  running  parallelism 2", list.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("demo-events", list.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("windows", list.StandardOutput, StringComparison.Ordinal);

            var unknown = await WeirCli.RunAsync(["jobs", "cancel", "nothing-like-it", "--url", url], TimeSpan.FromMinutes(1));
            Assert.Equal(2, unknown.ExitCode);
            Assert.Contains("no job 'nothing-like-it'", unknown.StandardError, StringComparison.Ordinal);

            var cancel = await WeirCli.RunAsync(["jobs", "cancel", "window-demo", "--url", url], TimeSpan.FromMinutes(1));
            Assert.True(cancel.ExitCode == 0, cancel.Describe());
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(0, process.ExitCode);
            Assert.Contains(lines.Lines, l => l.Contains("cancelled", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var noServer = await WeirCli.RunAsync(["jobs", "list", "--url", "http://127.0.0.1:1"], TimeSpan.FromMinutes(1));
        Assert.Equal(2, noServer.ExitCode);
        Assert.Contains("no Weir process answers", noServer.StandardError, StringComparison.Ordinal);
    }
}
