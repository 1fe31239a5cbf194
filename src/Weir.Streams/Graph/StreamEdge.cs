using Weir.Streams.Runtime;

namespace Weir.Streams.Graph;

/// <summary>How records are distributed from the subtasks of one node to those of the next.</summary>
internal enum Partitioning
{
    /// <summary>Subtask i to subtask i (chained when parallelism is equal).</summary>
    Forward,

    /// <summary>Round-robin over all receivers.</summary>
    Rebalance,

    /// <summary>By key group (KeyBy).</summary>
    Hash,
}

/// <summary>A stream from one node to another: main output or a side output, and how it is partitioned.</summary>
internal abstract class StreamEdge(StreamNode source, StreamNode target, string? sideOutputId, Partitioning partitioning)
{
    public StreamNode Source { get; } = source;

    public StreamNode Target { get; } = target;

    /// <summary>Null for the main output.</summary>
    public string? SideOutputId { get; } = sideOutputId;

    /// <summary>As requested by the API; the planner may turn Forward into Rebalance (parallelism differs) or Hash into Forward (both sides single).</summary>
    public Partitioning Partitioning { get; } = partitioning;

    public abstract object CreateChannel(int capacity, int batchSize, ISignal receiver);

    public abstract IRecordWriter CreateWriter(Partitioning partitioning, IReadOnlyList<object> channels, int senderIndex, JobSetup setup, DeadLetterReporter errors);

    public abstract object CreateSideOutput(IReadOnlyList<object> outputs);

    public abstract object CreateFanOut(IReadOnlyList<object> outputs);

    public override string ToString() => $"{Source} -> {Target} ({Partitioning}{(SideOutputId is null ? "" : $", side '{SideOutputId}'")})";
}

internal sealed class StreamEdge<T>(StreamNode source, StreamNode target, string? sideOutputId, Partitioning partitioning, KeySpec<T>? key)
    : StreamEdge(source, target, sideOutputId, partitioning)
{
    public KeySpec<T>? Key { get; } = key;

    public override object CreateChannel(int capacity, int batchSize, ISignal receiver) => new Channel<T>(capacity, batchSize, receiver);

    public override IRecordWriter CreateWriter(Partitioning partitioning, IReadOnlyList<object> channels, int senderIndex, JobSetup setup, DeadLetterReporter errors)
    {
        var typed = new Channel<T>[channels.Count];
        for (var i = 0; i < typed.Length; i++)
        {
            typed[i] = (Channel<T>)channels[i];
        }

        return partitioning switch
        {
            Partitioning.Forward => new ForwardWriter<T>(typed[0], setup.Clock),
            Partitioning.Rebalance => new RebalanceWriter<T>(typed, setup.Clock, senderIndex % typed.Length),
            _ => Key!.CreateWriter(typed, setup.Clock, setup.MaxParallelism, errors),
        };
    }

    public override object CreateSideOutput(IReadOnlyList<object> outputs) => new SideOutput<T>((IOutput<T>)CreateFanOut(outputs));

    public override object CreateFanOut(IReadOnlyList<object> outputs)
    {
        var typed = new List<IOutput<T>>(outputs.Count);
        foreach (var output in outputs)
        {
            typed.Add((IOutput<T>)output);
        }

        return FanOutOutput<T>.Of(typed);
    }
}
