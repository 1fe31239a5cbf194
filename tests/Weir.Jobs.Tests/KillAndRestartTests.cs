using System.Text.Json;
using Weir.Testing;
using Xunit.Abstractions;

namespace Weir.Jobs.Tests;

/// <summary>
/// The demo job (keyed tumbling windows, Kafka in and out, checkpoints) as a separate `weir` process, killed with
/// SIGKILL at random points and restarted: deduplicated by their deterministic ids, the window results equal an
/// uninterrupted run's, at parallelism 1, 2 and 4.
/// </summary>
public sealed class KillAndRestartTests(ITestOutputHelper output)
{
    private const int Events = 200_000;
    private const int Partitions = 4;

    [Fact]
    public async Task Killed_and_restarted_jobs_produce_exactly_the_windows_of_an_uninterrupted_run()
    {
        // Results carry their windows' event times (2023): keep them whatever their age.
        await using var broker = await EmbeddedBroker.StartAsync(o => o.RetentionMs = -1);
        using var data = new TempDirectory("kill");
        await DemoTopics.CreateAsync(broker, ("demo-events", Partitions), ("reference", 2), ("killed-p1", 2), ("killed-p2", 2), ("killed-p4", 2));
        await DemoTopics.ProduceAsync(broker, "demo-events", Events, Partitions);
        var expected = DemoTopics.Expected(Events);

        // The uninterrupted run.
        var reference = await RunToEndAsync(broker, data, "reference", 1, checkpoints: data.Combine("reference"));
        Assert.Equal(0, reference.ExitCode);

        var referenceWindows = DemoTopics.ReadWindows(broker, "reference", 2);
        Assert.Equal(expected.Count, referenceWindows.Count);
        foreach (var json in referenceWindows.Values)
        {
            var window = JsonDocument.Parse(json).RootElement;
            var key = (window.GetProperty("sensor").GetString()!, window.GetProperty("start").GetInt64());
            Assert.True(expected.TryGetValue(key, out var stats), $"unexpected window {json}");
            Assert.Equal(stats.Count, window.GetProperty("count").GetInt64());
            Assert.Equal(stats.Min, window.GetProperty("min").GetDouble());
            Assert.Equal(stats.Max, window.GetProperty("max").GetDouble());
            Assert.Equal(stats.Mean, window.GetProperty("mean").GetDouble(), 9);
        }

        var random = new Random(Environment.TickCount);
        foreach (var parallelism in new[] { 1, 2, 4 })
        {
            var topic = $"killed-p{parallelism}";
            var checkpoints = data.Combine(topic);
            var kills = 0;
            var resumed = 0;
            for (var attempt = 0; kills < 3 && attempt < 6; attempt++)
            {
                // Kill at a random moment after the run's next checkpoint completes (so restarts really resume).
                var delay = TimeSpan.FromMilliseconds(random.Next(0, 400));
                var (killed, restored) = await RunAndKillAsync(broker, topic, parallelism, checkpoints, delay);
                kills += killed ? 1 : 0;
                resumed += restored ? 1 : 0;
                output.WriteLine($"p={parallelism} attempt {attempt}: {(restored ? "resumed from a checkpoint, " : "")}{(killed ? $"killed {delay.TotalMilliseconds} ms after a checkpoint" : "finished before the kill")}");
                if (!killed)
                {
                    break;
                }
            }

            var final = await RunToEndAsync(broker, data, topic, parallelism, checkpoints);
            Assert.True(final.ExitCode == 0, final.Describe());
            resumed += final.StandardOutput.Contains("resumed from checkpoint", StringComparison.Ordinal) ? 1 : 0;
            Assert.True(kills >= 1, "the job always finished before it could be killed: the test proved nothing");
            Assert.True(resumed >= 1, "no run resumed from a checkpoint: the test proved nothing");
            var windows = DemoTopics.ReadWindows(broker, topic, 2);
            var missing = referenceWindows.Keys.Except(windows.Keys).Take(5).Select(k => referenceWindows[k]).ToList();
            Assert.True(missing.Count == 0, $"p={parallelism}: {referenceWindows.Count - windows.Count} window(s) missing, e.g. {string.Join(" ", missing)}");
            Assert.Equal(referenceWindows.OrderBy(w => w.Key, StringComparer.Ordinal), windows.OrderBy(w => w.Key, StringComparer.Ordinal));
        }
    }

    private static string[] Arguments(EmbeddedBroker broker, string output, int parallelism, string checkpoints) =>
    [
        "run", "window-demo",
        "--bootstrap", broker.BootstrapServers,
        "--input", "demo-events",
        "--output", output,
        "--dead-letters", "none",
        "--parallelism", parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--checkpoint-interval", "150ms",
        "--checkpoint-dir", checkpoints,
        "--stop-at-end",
        "--log-level", "Warning",
    ];

    private static Task<ProcessResult> RunToEndAsync(EmbeddedBroker broker, TempDirectory data, string output, int parallelism, string checkpoints) =>
        WeirCli.RunAsync(Arguments(broker, output, parallelism, checkpoints), TimeSpan.FromMinutes(4), workingDirectory: data.Path);

    /// <summary>The newest completed checkpoint in the folder (0 when none).</summary>
    private static long Completed(string checkpoints) =>
        Directory.Exists(checkpoints)
            ? Directory.GetDirectories(checkpoints, "chk-*")
                .Where(d => File.Exists(Path.Combine(d, "_metadata")))
                .Select(d => long.Parse(Path.GetFileName(d)[4..], System.Globalization.CultureInfo.InvariantCulture))
                .DefaultIfEmpty(0)
                .Max()
            : 0;

    /// <summary>Starts the job and SIGKILLs it <paramref name="delay"/> after its next checkpoint completes: whether it was killed (not finished first), whether it resumed from a checkpoint.</summary>
    private static async Task<(bool Killed, bool Resumed)> RunAndKillAsync(EmbeddedBroker broker, string output, int parallelism, string checkpoints, TimeSpan delay)
    {
        using var process = WeirCli.Start(Arguments(broker, output, parallelism, checkpoints));
        var lines = new LineCollector(process);
        var running = await lines.WaitForLineAsync(l => l.Contains(" running: ", StringComparison.Ordinal) || l.Contains("finished", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        var resumed = running.Contains("resumed from checkpoint", StringComparison.Ordinal);
        var before = Completed(checkpoints);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!process.HasExited && Completed(checkpoints) <= before)
        {
            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("no checkpoint completed within 2 minutes:\n" + lines.Text);
            }

            await Task.Delay(10);
        }

        await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(delay));
        if (process.HasExited)
        {
            Assert.True(process.ExitCode == 0, lines.Text);
            return (false, resumed);
        }

        process.Kill(entireProcessTree: true); // SIGKILL: no flush, no checkpoint, no goodbye
        await process.WaitForExitAsync();
        return (true, resumed);
    }
}
