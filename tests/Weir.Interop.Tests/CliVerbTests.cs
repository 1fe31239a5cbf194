using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>The console verbs as a user runs them (the weir program as a process) against a live broker.</summary>
public sealed class CliVerbTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Topics_produce_and_consume_work_end_to_end()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        string[] bootstrap = ["--bootstrap", broker.BootstrapServers];

        var created = await WeirCli.RunAsync(["topics", "create", "cli-topic", "--partitions", "2", "--config", "retention.ms=3600000", .. bootstrap], Timeout);
        Assert.True(created.ExitCode == 0, created.Describe());

        var listed = await WeirCli.RunAsync(["topics", "list", .. bootstrap], Timeout);
        Assert.Contains("cli-topic\t2 partition(s)", listed.StandardOutput, StringComparison.Ordinal);

        var produced = await WeirCli.RunAsync(["produce", "--topic", "cli-topic", "--keys", "--partition", "1", "--header", "source=test", .. bootstrap], Timeout, standardInput: "k1\tfirst\nk2\tsecond\nno key here\n");
        Assert.True(produced.ExitCode == 0, produced.Describe());
        Assert.Contains("produced 3 record(s)", produced.StandardError, StringComparison.Ordinal);

        var consumed = await WeirCli.RunAsync(["consume", "--topic", "cli-topic", "--from", "beginning", "--count", "3", "--print-key", "--print-headers", "--print-offset", .. bootstrap], Timeout);
        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        Assert.Equal(
            ["1:0\tsource:test\tk1\tfirst", "1:1\tsource:test\tk2\tsecond", "1:2\tsource:test\tnull\tno key here"],
            consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var fromOffset = await WeirCli.RunAsync(["consume", "--topic", "cli-topic", "--partition", "1", "--from", "2", "--count", "1", .. bootstrap], Timeout);
        Assert.Equal("no key here", fromOffset.StandardOutput.Trim());

        var described = await WeirCli.RunAsync(["topics", "describe", "cli-topic", .. bootstrap], Timeout);
        Assert.True(described.ExitCode == 0, described.Describe());
        Assert.Contains("1\t1\t1\t1\t0\t3", described.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("retention.ms=3600000  (set on the topic)", described.StandardOutput, StringComparison.Ordinal);

        var deleted = await WeirCli.RunAsync(["topics", "delete", "cli-topic", .. bootstrap], Timeout);
        Assert.True(deleted.ExitCode == 0, deleted.Describe());
        var after = await WeirCli.RunAsync(["topics", "describe", "cli-topic", .. bootstrap], Timeout);
        Assert.Equal(2, after.ExitCode);
        Assert.Contains("does not exist", after.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_reads_a_file_and_consume_prints_timestamps_and_starts_at_latest()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        string[] bootstrap = ["--bootstrap", broker.BootstrapServers];
        using var directory = new TempDirectory("cli-file");
        var file = directory.Combine("lines.txt");
        await File.WriteAllTextAsync(file, "one\ntwo\nthree\n");

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var produced = await WeirCli.RunAsync(["produce", "--topic", "from-file", "--file", file, .. bootstrap], Timeout);
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.True(produced.ExitCode == 0, produced.Describe());

        var consumed = await WeirCli.RunAsync(["consume", "--topic", "from-file", "--from", "beginning", "--count", "3", "--print-timestamp", .. bootstrap], Timeout);
        Assert.True(consumed.ExitCode == 0, consumed.Describe());
        var lines = consumed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["one", "two", "three"], lines.Select(l => l.Split('\t')[1]));
        foreach (var line in lines)
        {
            var stamp = line.Split('\t')[0];
            Assert.StartsWith("CreateTime:", stamp, StringComparison.Ordinal);
            var ms = long.Parse(stamp["CreateTime:".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(ms, before, after);
        }

        // --from latest skips what is there: it prints the first record written after it started.
        using var latest = WeirCli.Start(["consume", "--topic", "from-file", "--from", "latest", "--count", "1", .. bootstrap]);
        var output = latest.StandardOutput.ReadToEndAsync();
        var errors = latest.StandardError.ReadToEndAsync();
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(new Confluent.Kafka.ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            var deadline = DateTime.UtcNow + Timeout;
            for (var tick = 0; !latest.HasExited && DateTime.UtcNow < deadline; tick++)
            {
                await producer.ProduceAsync("from-file", new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = $"tick-{tick}" });
                await Task.WhenAny(latest.WaitForExitAsync(), Task.Delay(200));
            }
        }

        if (!latest.HasExited)
        {
            latest.Kill(entireProcessTree: true);
            Assert.Fail("consume --from latest --count 1 did not finish: " + await errors);
        }

        Assert.True(latest.ExitCode == 0, await errors);
        Assert.StartsWith("tick-", (await output).Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_an_existing_topic_is_a_clear_error()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        string[] bootstrap = ["--bootstrap", broker.BootstrapServers];
        await WeirCli.RunAsync(["topics", "create", "twice", .. bootstrap], Timeout);

        var again = await WeirCli.RunAsync(["topics", "create", "twice", .. bootstrap], Timeout);
        var tolerated = await WeirCli.RunAsync(["topics", "create", "twice", "--if-not-exists", .. bootstrap], Timeout);

        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, tolerated.ExitCode);
    }

    [Fact]
    public async Task Weir_broker_serves_clients_and_stops_cleanly_on_sigterm()
    {
        using var data = new TempDirectory("cli-broker");
        using var process = WeirCli.Start(["broker", "--listen", "127.0.0.1:0", "--data-dir", data.Combine("broker")]);
        var bootstrap = await BrokerProcess.WaitForAddressAsync(process, Timeout);

        var produced = await WeirCli.RunAsync(["produce", "--topic", "from-cli", "--bootstrap", bootstrap], Timeout, standardInput: "hello\n");
        Assert.True(produced.ExitCode == 0, produced.Describe());

        BrokerProcess.Terminate(process);
        Assert.True(process.WaitForExit(30_000), "weir broker did not stop after SIGTERM");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("clean", File.ReadAllText(data.Combine("broker", "topics", "from-cli", "0", "recovery-point")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weir_up_starts_the_broker_and_prints_where()
    {
        using var data = new TempDirectory("cli-up");
        var environment = new Dictionary<string, string> { ["WEIR_Broker__Listen"] = "127.0.0.1:0" };
        using var process = WeirCli.Start(["up", "--only", "broker", "--data-root", data.Path], environment: environment);
        var bootstrap = await BrokerProcess.WaitForAddressAsync(process, Timeout);

        var produced = await WeirCli.RunAsync(["produce", "--topic", "up-topic", "--bootstrap", bootstrap], Timeout, standardInput: "hello\n");
        Assert.True(produced.ExitCode == 0, produced.Describe());
        Assert.True(File.Exists(data.Combine("broker", "topics", "up-topic", "topic.json")));

        BrokerProcess.Terminate(process);
        Assert.True(process.WaitForExit(30_000), "weir up did not stop after SIGTERM");
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Groups_list_and_describe_show_members_offsets_and_lag()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.DefaultPartitions = 2);
        string[] bootstrap = ["--bootstrap", broker.BootstrapServers];
        await WeirCli.RunAsync(["produce", "--topic", "lagging", "--partition", "0", .. bootstrap], Timeout, standardInput: string.Concat(Enumerable.Range(0, 10).Select(i => $"r{i}\n")));
        await WeirCli.RunAsync(["produce", "--topic", "lagging", "--partition", "1", .. bootstrap], Timeout, standardInput: "a\nb\n");

        using var consumer = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, string>(new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "watchers",
            ClientId = "watcher-1",
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("lagging");
        Confluent.Kafka.ConsumeResult<Confluent.Kafka.Ignore, string>? result = null;
        while (result is null || result.Partition.Value != 0 || result.Offset.Value < 3)
        {
            result = consumer.Consume(Timeout) ?? throw new TimeoutException("no record");
        }

        consumer.Commit([new Confluent.Kafka.TopicPartitionOffset("lagging", 0, 4)]);

        var listed = await WeirCli.RunAsync(["groups", "list", .. bootstrap], Timeout);
        Assert.True(listed.ExitCode == 0, listed.Describe());
        Assert.Contains("watchers\tStable\tconsumer", listed.StandardOutput, StringComparison.Ordinal);

        var described = await WeirCli.RunAsync(["groups", "describe", "watchers", .. bootstrap], Timeout);
        Assert.True(described.ExitCode == 0, described.Describe());
        Assert.Contains("group watchers: Stable, 1 member(s)", described.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(client watcher-1, host /127.0.0.1): lagging-0, lagging-1", described.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("lagging\t0\t4\t10\t6\twatcher-1", described.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("lagging\t1\t-\t2\t-\twatcher-1", described.StandardOutput, StringComparison.Ordinal);

        var missing = await WeirCli.RunAsync(["groups", "describe", "nobody", .. bootstrap], Timeout);
        Assert.Equal(2, missing.ExitCode);
        consumer.Close();
    }
}
