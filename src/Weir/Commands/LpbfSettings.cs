using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf.Job;

namespace Weir.Cli.Commands;

/// <summary>Configuration section "Lpbf": the job and the orchestrator (flags override it).</summary>
internal sealed class LpbfSettings
{
    public string Challenger { get; set; } = "http://127.0.0.1:8866";

    public string? BootstrapServers { get; set; }

    public int Parallelism { get; set; } = 1;

    /// <summary>Subtasks of the job's raw-batch source; 0 = one per four queries subtasks.</summary>
    public int SourceParallelism { get; set; }

    public int Prefetch { get; set; } = 3;

    /// <summary>Checkpoint folder of the job; default &lt;data root&gt;/checkpoints/lpbf.</summary>
    public string? CheckpointDir { get; set; }

    /// <summary>The embedded broker's configured address, when it names a fixed port (what `weir up` starts).</summary>
    private static string? EmbeddedBroker(WeirContext context) =>
        context.Configuration["Broker:Listen"] is { } listen && !listen.EndsWith(":0", StringComparison.Ordinal) ? listen : null;

    public static LpbfSettings From(WeirContext context) => context.Bind<LpbfSettings>("Lpbf");

    public LpbfJobOptions Job(WeirContext context) => new()
    {
        BootstrapServers = BootstrapServers ?? context.Configuration["Kafka:BootstrapServers"] ?? EmbeddedBroker(context) ?? KafkaClientOptions.DefaultBootstrap,
        Parallelism = Parallelism,
        SourceParallelism = SourceParallelism,
        CheckpointDirectory = context.DataPath(CheckpointDir, "checkpoints", "lpbf"),
    };
}
