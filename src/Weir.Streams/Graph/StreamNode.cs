using Weir.Streams.Operators;
using Weir.Streams.Runtime;
using Weir.Streams.Sources;
using Weir.Streams.Time;

namespace Weir.Streams.Graph;

/// <summary>
/// One operator of the logical job graph, as the fluent API builds it. The runtime turns each node into one
/// operator instance per parallel subtask; nodes joined by forward edges of equal parallelism share a subtask
/// (operator chaining).
/// </summary>
internal abstract class StreamNode(int id, string name)
{
    public int Id { get; } = id;

    public string Name { get; set; } = name;

    /// <summary>Set by the user: keeps state addressable when the job's shape changes.</summary>
    public string? Uid { get; set; }

    /// <summary>Set by the user; null takes the job's parallelism.</summary>
    public int? Parallelism { get; set; }

    public bool ChainingDisabled { get; set; }

    /// <summary>The most subtasks this node supports (a collection source: 1).</summary>
    public virtual int? MaxParallelism => null;

    /// <summary>Whether this node's operator reads keyed state (it must sit behind a KeyBy exchange or chain).</summary>
    public bool IsKeyed { get; init; }

    public List<StreamEdge> Inputs { get; } = [];

    public List<StreamEdge> Outputs { get; } = [];

    /// <summary>The id under which this node's state is stored in checkpoints.</summary>
    public string OperatorId => Uid ?? $"{Id}-{Name}";

    public abstract Type OutputType { get; }

    /// <summary>Builds the operator's typed output from the outputs of its edges (each an IOutput of the edge's type).</summary>
    public abstract object CreateOutput(IReadOnlyList<object> main, IReadOnlyList<(StreamEdge Edge, IReadOnlyList<object> Outputs)> sides);

    public override string ToString() => $"{Name} (#{Id})";
}

internal abstract class StreamNode<TOut>(int id, string name) : StreamNode(id, name)
{
    public override Type OutputType => typeof(TOut);

    public override object CreateOutput(IReadOnlyList<object> main, IReadOnlyList<(StreamEdge Edge, IReadOnlyList<object> Outputs)> sides)
    {
        var mainOutputs = new List<IOutput<TOut>>(main.Count);
        foreach (var output in main)
        {
            mainOutputs.Add((IOutput<TOut>)output);
        }

        var sideOutputs = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (edge, outputs) in sides)
        {
            sideOutputs[edge.SideOutputId!] = edge.CreateSideOutput(outputs);
        }

        return new OperatorOutput<TOut>(FanOutOutput<TOut>.Of(mainOutputs), sideOutputs);
    }
}

/// <summary>A source node, seen without its record type.</summary>
internal interface ISourceNode
{
    bool IsBounded { get; }

    Subtask CreateSourceSubtask(SubtaskSetup setup, object chain);
}

internal sealed class SourceNode<T>(int id, string name, ISource<T> source, WatermarkStrategy<T> watermarks) : StreamNode<T>(id, name), ISourceNode
{
    public ISource<T> Source { get; } = source;

    public WatermarkStrategy<T> Watermarks { get; } = watermarks;

    public override int? MaxParallelism => Source.MaxParallelism;

    public bool IsBounded => Source.IsBounded;

    public Subtask CreateSourceSubtask(SubtaskSetup setup, object chain) => new SourceSubtask<T>(setup, this, (IOutput<T>)chain);
}

/// <summary>A node with one input stream (which may be a union of several).</summary>
internal interface IOperatorNode
{
    Type InputType { get; }

    StreamOperator CreateOperator(object output);

    /// <summary>Creates the subtask that reads this node's input channels (when it heads a chain).</summary>
    Subtask CreateInputSubtask(SubtaskSetup setup, IReadOnlyList<object> channels, StreamOperator head);
}

internal sealed class OperatorNode<TIn, TOut>(int id, string name, Func<OneInputOperator<TIn, TOut>> factory)
    : StreamNode<TOut>(id, name), IOperatorNode
{
    public Type InputType => typeof(TIn);

    public StreamOperator CreateOperator(object output)
    {
        var op = factory();
        op.SetOutput((OperatorOutput<TOut>)output);
        return op;
    }

    public Subtask CreateInputSubtask(SubtaskSetup setup, IReadOnlyList<object> channels, StreamOperator head)
    {
        var typed = new Channel<TIn>[channels.Count];
        for (var i = 0; i < typed.Length; i++)
        {
            typed[i] = (Channel<TIn>)channels[i];
        }

        return new InputSubtask<TIn>(setup, typed, (IOutput<TIn>)head);
    }
}
