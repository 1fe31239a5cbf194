using System.Globalization;
using Weir.Pipelines.Factory;
using Weir.Services.Factory;
using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>The producers as a separate process, killed with SIGKILL mid-stream and started again.</summary>
public sealed class ProducerCrashTests
{
    [Fact]
    public async Task Killed_several_times_mid_stream_the_producers_still_put_every_record_in_the_topic_once()
    {
        using var data = new TempDirectory("factory-producer-crash");
        FactoryDataGenerator.WriteFiles(data.Combine("source"), new FactoryDataShape { Cycles = 60 });
        var sources = StreamSourceFiles.Load(data.Combine("source"));
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await using var api = await FactoryStreamingApi.StartAsync(sources, new FactoryApiOptions { Listen = "127.0.0.1:0", Delay = 0.002 },
            FactoryKafka.Logs, TimeProvider.System, CancellationToken.None);
        string[] arguments = ["run", "factory-producer", "--api", api.Address.ToString(), "--bootstrap", broker.BootstrapServers, "--data-root", data.Combine("data"), "--log-level", "Warning"];

        var random = new Random(3);
        for (var round = 0; round < 4; round++)
        {
            using var producer = WeirCli.Start(arguments);
            var output = new LineCollector(producer);
            var before = Count(broker.BootstrapServers);
            await Eventually.HoldsAsync(() => Count(broker.BootstrapServers) > before + 50 || producer.HasExited, TimeSpan.FromSeconds(60), () => output.Text);
            Assert.False(producer.HasExited, $"the stream ended before the kill; make it longer. {output.Text}");
            await Task.Delay(random.Next(0, 300));
            await ProcessRun.SignalAsync(producer, "KILL");
            await producer.WaitForExitAsync();
        }

        var final = await WeirCli.RunAsync(arguments, TimeSpan.FromMinutes(3));
        Assert.True(final.ExitCode == 0, final.Describe());

        foreach (var (name, topic) in new[] { ("metrics", "metrics"), ("workorder", "workorder") })
        {
            var seqs = FactoryKafka.ReadAll(broker.BootstrapServers, topic)
                .Select(r => long.Parse(FactoryKafka.Header(r, StreamProducer.SeqHeader), CultureInfo.InvariantCulture)).ToList();
            var duplicates = seqs.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"{topic}: records sent twice: {string.Join(",", duplicates.Take(20))}");
            Assert.Equal(Enumerable.Range(0, sources[name].Lines.Count).Select(i => (long)i), seqs.Order());
        }
    }

    private static long Count(string bootstrap)
    {
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = bootstrap, GroupId = "count" }).Build();
        long total = 0;
        foreach (var p in new[] { 0, 1, 2 })
        {
            try
            {
                total += consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition("metrics", p), TimeSpan.FromSeconds(5)).High.Value;
            }
            catch (Confluent.Kafka.KafkaException)
            {
                return 0; // the topic does not exist yet
            }
        }

        return total;
    }
}
