using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

/// <summary>
/// The consumer service as separate `weir` processes against Weir's broker: one instance, or two sharing the
/// partitions of group pepper-potato-tomato-group; one is killed (SIGKILL) in the middle of a workload of creates,
/// updates and deletes and started again; in the end the consumer database equals the producer database record for record.
/// </summary>
public sealed partial class ConsumerRestartTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(PlantDatabases.Sqlite, 1)]
    [InlineData(PlantDatabases.Postgres, 1)]
    [InlineData(PlantDatabases.Sqlite, 2)]
    [InlineData(PlantDatabases.Postgres, 2)]
    public async Task A_consumer_killed_mid_workload_and_restarted_leaves_the_databases_equal(string backend, int instances)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var (producerDb, producerTarget) = await databases.CreateAsync(backend, "restart_producer");
        var (consumerDb, consumerTarget) = await databases.CreateAsync(backend, "restart_consumer");
        using var data = new TempDirectory("plant-restart");
        string[] common = ["--bootstrap", broker.BootstrapServers, "--partitions", "3", "--listen", "127.0.0.1:0", "--data-root", data.Path];
        var processes = new List<Process>();
        try
        {
            var (producer, producerOutput) = Start(processes, ["serve", "plant-images", "--database", producerTarget, "--seed-images", "4", .. common]);
            var api = AddressPattern().Match(await producerOutput.WaitForLineAsync(l => l.StartsWith("plant images API on ", StringComparison.Ordinal), Timeout)).Value;
            string[] consumerArguments = ["run", "plant-sync", "--database", consumerTarget, .. common];
            var consumers = Enumerable.Range(0, instances).Select(_ => Start(processes, consumerArguments)).ToList();
            foreach (var (_, output) in consumers)
            {
                // Every instance of the group gets partitions of the three plant topics.
                await output.WaitForLineAsync(l => l.Contains("] Assigned ", StringComparison.Ordinal) && l.Contains("[[", StringComparison.Ordinal), Timeout);
            }

            var first = consumers[0].Process;

            using var http = new HttpClient { BaseAddress = new Uri(api) };
            using var stop = new CancellationTokenSource();
            var workload = new PlantWorkload(
                new PlantImageClient(http), new PlantWorkloadOptions { Speed = 1500, MaxChanges = 300, Seed = 9, ImageSize = 32 }, TimeProvider.System, NullLogger.Instance);
            var running = workload.RunAsync(stop.Token);
            await Eventually.HoldsAsync(() => workload.Changes >= 100, Timeout, () => $"workload made {workload.Changes} changes");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            var killedAt = workload.Changes;
            await Eventually.HoldsAsync(() => workload.Changes >= 200, Timeout, () => $"workload made {workload.Changes} changes");
            var (restarted, restartedOutput) = Start(processes, consumerArguments);
            await restartedOutput.WaitForLineAsync(l => l.StartsWith("plant sync consuming ", StringComparison.Ordinal), Timeout);
            await running;

            Assert.Equal(300, workload.Changes);
            Assert.InRange(killedAt, 100, 199);
            await StreamSyncTests.WaitForEqualAsync(producerDb, consumerDb, Timeout);
            var images = await Weir.Pipelines.PlantSync.ReplicaComparison.ReadAllAsync(producerDb, CancellationToken.None);
            Assert.Contains(images.Values, i => i.IsDeleted);
            Assert.Contains(images.Values, i => i.Disease is not null);
            Assert.Contains(images.Values, i => i.IsActive);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }

                process.Dispose();
            }
        }
    }

    private static (Process Process, LineCollector Output) Start(List<Process> processes, string[] arguments)
    {
        var process = WeirCli.Start(arguments);
        processes.Add(process);
        return (process, new LineCollector(process));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/?")]
    private static partial Regex AddressPattern();
}
