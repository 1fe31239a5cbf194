using System.Text.Json;
using Weir.Testing;

namespace Weir.Interop.Tests;

/// <summary>KafkaJS 2.2.4 (Node 20, pinned by tests/node/package-lock.json): idempotent producer and a consumer group.</summary>
public sealed class KafkaJsTests
{
    [Fact]
    public async Task KafkaJS_idempotent_producer_and_a_group_of_two_consumers()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var project = Tools.NodeProject;

        var run = await ProcessRun.RunAsync(Tools.Node, [Path.Combine(project, "producer-and-group.js"), broker.BootstrapServers, "kafkajs-topic", "kafkajs-group", "1000"],
            TimeSpan.FromSeconds(120), workingDirectory: project, environment: new Dictionary<string, string> { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" });

        Assert.True(run.ExitCode == 0, run.Describe());
        var summary = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(1000, summary.GetProperty("distinct").GetInt32());
        Assert.True(summary.GetProperty("keysMatch").GetBoolean());
        Assert.True(summary.GetProperty("byMember").GetProperty("one").GetInt32() > 0, run.StandardOutput);
        Assert.True(summary.GetProperty("byMember").GetProperty("two").GetInt32() > 0, run.StandardOutput);
        Assert.Equal(1000, summary.GetProperty("committed").GetInt32());
    }
}
