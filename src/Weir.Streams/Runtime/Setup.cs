using Microsoft.Extensions.Logging;
using Weir.Streams.Checkpoints;
using Weir.Streams.Graph;
using Weir.Streams.Operators;

namespace Weir.Streams.Runtime;

/// <summary>What every subtask of a job shares.</summary>
internal sealed class JobSetup
{
    public required JobOptions Options { get; init; }

    /// <summary>True for the stepped test executor: channels never block, one thread runs everything.</summary>
    public required bool Stepped { get; init; }

    public required ILoggerFactory LoggerFactory { get; init; }

    public required JobMetrics Metrics { get; init; }

    public required CancellationToken Cancellation { get; init; }

    public CheckpointCoordinator? Checkpoints { get; set; }

    public RestoredCheckpoint? Restored { get; init; }

    public string JobName => Options.Name;

    public TimeProvider Clock => Options.TimeProvider;

    public int MaxParallelism => Options.MaxParallelism;

    public int ChannelCapacity => Stepped ? 0 : Options.ChannelCapacity;

    public long BufferTimeoutTicks => (long)(Options.BufferTimeout.TotalSeconds * Clock.TimestampFrequency);
}

/// <summary>What one subtask is made of: its place in the job, its operators (head first) and its outputs.</summary>
internal sealed class SubtaskSetup
{
    public required JobSetup Job { get; init; }

    /// <summary>The chain's name: its operators' names joined by " -> ".</summary>
    public required string ChainName { get; init; }

    public required int ChainIndex { get; init; }

    public required int Index { get; init; }

    public required int Parallelism { get; init; }

    public required ISignal Signal { get; init; }

    public required ProcessingTimeService Timers { get; init; }

    public required DeadLetterReporter Errors { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The chain's nodes, head first (a source chain's head is the source node itself).</summary>
    public required IReadOnlyList<StreamNode> Nodes { get; init; }

    /// <summary>The operators of the chain's nodes, head first (none for the source node itself).</summary>
    public List<StreamOperator> Operators { get; } = [];

    public List<IRecordWriter> Writers { get; } = [];
}
