using System.Text.RegularExpressions;
using Weir.Pipelines.PlantSync;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

/// <summary>The verbs as a user runs them: separate processes, real flags, real databases, HTTP on 127.0.0.1.</summary>
public sealed partial class PlantSyncCliTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Serve_then_generate_then_batch_sync_leaves_the_consumer_equal_to_the_producer(string backend)
    {
        var (producer, producerTarget) = await databases.CreateAsync(backend, "cli_producer");
        var (consumer, consumerTarget) = await databases.CreateAsync(backend, "cli_consumer");
        using var data = new TempDirectory("plant-cli");
        using var server = WeirCli.Start(
            ["serve", "plant-images", "--no-relay", "--listen", "127.0.0.1:0", "--seed-images", "3", "--database", producerTarget, "--data-root", data.Path]);
        try
        {
            var output = new LineCollector(server);
            var line = await output.WaitForLineAsync(l => l.StartsWith("plant images API on ", StringComparison.Ordinal), Timeout);
            var api = AddressPattern().Match(line).Value;

            var generate = await WeirCli.RunAsync(["generate", "plant-images", "--api", api, "--speed", "3000", "--changes", "60", "--seed", "4"], Timeout);
            var sync = await WeirCli.RunAsync(
                ["run", "plant-batch-sync", "--once", "--producer-database", producerTarget, "--consumer-database", consumerTarget, "--data-root", data.Path], Timeout);

            Assert.True(generate.ExitCode == 0, generate.Describe());
            Assert.True(generate.StandardOutput.Contains("made 60 changes", StringComparison.Ordinal), generate.Describe());
            Assert.True(sync.ExitCode == 0, sync.Describe());
            // 9 seeded images, then 60 changes; the batch copies each changed record once, whatever number of times it changed.
            var images = await ReplicaComparison.ReadAllAsync(producer, CancellationToken.None);
            Assert.Contains($"of {images.Count} changed records", sync.StandardOutput, StringComparison.Ordinal);
            Assert.Contains(images.Values, i => i.IsDeleted);
            Assert.Contains(images.Values, i => i.Disease is not null);
            Assert.Contains(images.Values, i => i.UpdatedAt != i.CreatedAt);
            Assert.Empty(await ReplicaComparison.DifferencesAsync(producer, consumer, CancellationToken.None));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Bad_flags_are_one_line_errors()
    {
        using var data = new TempDirectory("plant-cli");

        var speed = await WeirCli.RunAsync(["generate", "plant-images", "--speed", "0", "--data-root", data.Path], Timeout);
        var interval = await WeirCli.RunAsync(["run", "plant-batch-sync", "--interval", "soon", "--data-root", data.Path], Timeout);
        var unreachable = await WeirCli.RunAsync(["generate", "plant-images", "--api", "http://127.0.0.1:1", "--data-root", data.Path], Timeout);

        Assert.Equal(2, speed.ExitCode);
        Assert.Contains("--speed must be a positive number", speed.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, interval.ExitCode);
        Assert.Contains("'soon' is not a duration", interval.StandardError + interval.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains("cannot reach the image API at http://127.0.0.1:1/", unreachable.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("600s", 600)]
    [InlineData("10m", 600)]
    [InlineData("1.5h", 5400)]
    [InlineData("250ms", 0.25)]
    [InlineData("42", 42)]
    public void Durations_read_with_units(string text, double seconds)
    {
        Assert.True(Weir.Cli.Commands.PlantSyncCommands.TryParseDuration(text, out var value));
        Assert.Equal(seconds, value.TotalSeconds);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/?")]
    private static partial Regex AddressPattern();
}
