using System.Globalization;
using Weir.Pipelines.Factory;
using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>The sink as a separate process, killed with SIGKILL in the middle of its work and started again.</summary>
public sealed class SinkCrashTests
{
    [Theory]
    [InlineData(1, "")]                 // one sink, no group: it resumes from its files alone
    [InlineData(2, "factory-sink-kill")] // two sinks sharing the partitions in a group, one of them killed each round
    public async Task Killed_several_times_mid_run_the_sink_still_puts_every_record_in_exactly_one_file(int processes, string group)
    {
        using var data = new TempDirectory("factory-crash");
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        var kafka = FactoryKafka.Options(broker.BootstrapServers);
        await FactoryTopics.EnsureAsync(kafka, ["metrics", "workorder", "factory-sink-dlq"], CancellationToken.None);
        var folder = data.Combine("data", "factory", "database");
        string[] sinkArguments =
        [
            "run", "factory-sink", "--bootstrap", broker.BootstrapServers, "--group", group, "--trigger", "0.05",
            "--max-records-per-trigger", "300", "--max-records-per-file", "70", "--data-root", data.Combine("data"), "--log-level", "Warning",
        ];

        // Records keep arriving while the sink is killed and restarted.
        var invalid = 0;
        var producing = Task.Run(() =>
        {
            for (var burst = 0; burst < 12; burst++)
            {
                var (records, bad) = SinkTests.MetricsRecords(burst * 1000, 1000);
                invalid += bad;
                FactoryKafka.Produce(broker.BootstrapServers, "metrics", records);
                FactoryKafka.Produce(broker.BootstrapServers, "workorder", SinkTests.WorkOrders(100));
                Thread.Sleep(150);
            }
        });

        var random = new Random(8);
        var environment = new Dictionary<string, string> { ["WEIR_Factory__Sink__SessionTimeoutSeconds"] = "6" };
        var sinks = new List<(System.Diagnostics.Process Process, LineCollector Output)>();
        for (var i = 0; i < processes; i++)
        {
            var process = WeirCli.Start(sinkArguments, environment: environment);
            sinks.Add((process, new LineCollector(process)));
        }

        var kills = 0;
        try
        {
            for (var round = 0; round < 6; round++)
            {
                var victim = round % processes;
                var (sink, output) = sinks[victim];
                var before = Files(folder);
                // Kill at a random moment once the sinks are busy writing.
                await Eventually.HoldsAsync(() => Files(folder) > before || sink.HasExited, TimeSpan.FromSeconds(60), () => $"no new file; output:\n{output.Text}");
                Assert.False(sink.HasExited, output.Text);
                await Task.Delay(random.Next(0, 400));
                await ProcessRun.SignalAsync(sink, "KILL");
                await sink.WaitForExitAsync();
                sink.Dispose();
                kills++;
                var restarted = WeirCli.Start(sinkArguments, environment: environment);
                sinks[victim] = (restarted, new LineCollector(restarted));
            }
        }
        finally
        {
            foreach (var (sink, _) in sinks)
            {
                if (!sink.HasExited)
                {
                    sink.Kill(entireProcessTree: true);
                    await sink.WaitForExitAsync();
                }

                sink.Dispose();
            }
        }

        await producing;
        var final = await WeirCli.RunAsync([.. sinkArguments, "--available-now"], TimeSpan.FromMinutes(3), environment: environment);
        Assert.True(final.ExitCode == 0, final.Describe());

        Assert.Equal(6, kills);
        SinkTests.AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "metrics", Path.Combine(folder, "metrics"), maxRowsPerFile: 70);
        SinkTests.AssertFilesHoldExactlyTheValidRecords(broker.BootstrapServers, "workorder", Path.Combine(folder, "workorder"), maxRowsPerFile: 70);

        // Dead letters are at least once: every invalid record is there, nothing else is.
        var sources = FactoryKafka.ReadAll(broker.BootstrapServers, "metrics").ToDictionary(r => (r.Partition.Value, r.Offset.Value));
        var letters = FactoryKafka.ReadAll(broker.BootstrapServers, "factory-sink-dlq")
            .Select(l => (int.Parse(FactoryKafka.Header(l, "weir.source.partition"), CultureInfo.InvariantCulture), long.Parse(FactoryKafka.Header(l, "weir.source.offset"), CultureInfo.InvariantCulture)))
            .Distinct().ToList();
        Assert.Equal(invalid, letters.Count);
        var decoder = new Weir.Connectors.Parquet.JsonRecordDecoder(FactorySchemas.Metrics);
        Assert.All(letters, l => Assert.False(decoder.TryAppend(sources[l].Message.Value, new Weir.Connectors.Parquet.ColumnBatch(FactorySchemas.Metrics), out _)));
    }

    private static int Files(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Count() : 0;
}
