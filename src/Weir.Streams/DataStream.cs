using Weir.Streams.Graph;
using Weir.Streams.Operators;
using Weir.Streams.Runtime;
using Weir.Streams.Sinks;
using Weir.Streams.State;
using Weir.Streams.Time;

namespace Weir.Streams;

/// <summary>
/// A stream of records of type <typeparamref name="T"/>. Each method adds an operator and returns the stream it
/// produces; nothing runs until the environment executes. The With… methods configure the operator that produced
/// this stream (name, uid, parallelism, chaining).
/// </summary>
public class DataStream<T>
{
    internal DataStream(StreamEnvironment environment, IReadOnlyList<StreamRef<T>> inputs, StreamNode? producer)
    {
        Environment = environment;
        Inputs = inputs;
        Producer = producer;
    }

    public StreamEnvironment Environment { get; }

    internal IReadOnlyList<StreamRef<T>> Inputs { get; }

    /// <summary>The operator this stream is the main output of (null for unions and side outputs).</summary>
    internal StreamNode? Producer { get; }

    /// <summary>One output record per input record.</summary>
    public DataStream<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Transform("Map", () => new MapOperator<T, TOut>(map));
    }

    /// <summary>Keeps the records for which <paramref name="predicate"/> is true.</summary>
    public DataStream<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Transform("Filter", () => new FilterOperator<T>(predicate));
    }

    /// <summary>Zero or more output records per input record, emitted through the collector.</summary>
    public DataStream<TOut> FlatMap<TOut>(Action<T, Collector<TOut>> flatMap)
    {
        ArgumentNullException.ThrowIfNull(flatMap);
        return Transform("FlatMap", () => new FlatMapOperator<T, TOut>(flatMap));
    }

    /// <summary>A function with side outputs and the clocks, per record.</summary>
    public DataStream<TOut> Process<TOut>(ProcessFunction<T, TOut> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Transform(function.GetType().Name, () => new ProcessOperator<T, TOut>(function.CopyForSubtask()));
    }

    /// <summary>
    /// Partitions the stream by key: every record of a key goes to the same subtask, which holds that key's state
    /// and windows. Strings, integers, Guids and enums hash the same in every process; pass
    /// <paramref name="comparer"/> for other key types whose hash should be stable across restarts.
    /// </summary>
    public KeyedStream<T, TKey> KeyBy<TKey>(Func<T, TKey> keySelector, IEqualityComparer<TKey>? comparer = null, IStateSerializer<TKey>? keySerializer = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        var key = new KeySpec<T, TKey>(keySelector, comparer ?? KeyComparer<TKey>.Default, keySerializer ?? StateSerializers.Default<TKey>());
        var refs = Inputs.Select(r => r with { Partitioning = Partitioning.Hash, Key = key }).ToList();
        return new KeyedStream<T, TKey>(Environment, refs, key);
    }

    /// <summary>Spreads records round-robin over the next operator's subtasks.</summary>
    public DataStream<T> Rebalance() =>
        new(Environment, [.. Inputs.Select(r => r with { Partitioning = Partitioning.Rebalance, Key = null })], null);

    /// <summary>One stream of the records of this stream and the others (no order between them; watermarks combine by minimum).</summary>
    public DataStream<T> Union(params DataStream<T>[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var refs = new List<StreamRef<T>>(Inputs);
        foreach (var other in others)
        {
            if (other.Environment != Environment)
            {
                throw new ArgumentException("streams of different environments cannot be united", nameof(others));
            }

            refs.AddRange(other.Inputs);
        }

        return new DataStream<T>(Environment, refs, null);
    }

    /// <summary>The records the producing operator emitted to a side output (late data, rejected records).</summary>
    public DataStream<TSide> GetSideOutput<TSide>(OutputTag<TSide> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var producer = RequireProducer("GetSideOutput");
        return new DataStream<TSide>(Environment, [new StreamRef<TSide>(producer, tag.Id, Partitioning.Forward, null)], null);
    }

    /// <summary>Assigns event timestamps and watermarks here (instead of at the source): one generator per subtask.</summary>
    public DataStream<T> AssignTimestampsAndWatermarks(WatermarkStrategy<T> strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return Transform("Timestamps/Watermarks", () => new TimestampsAndWatermarksOperator<T>(strategy));
    }

    /// <summary>Writes the stream to a sink.</summary>
    public DataStreamSink SinkTo(ISink<T> sink, string name = "Sink")
    {
        ArgumentNullException.ThrowIfNull(sink);
        var node = Environment.Add(id => new OperatorNode<T, NoOutput>(id, name, () => new SinkOperator<T>(sink)));
        StreamEnvironment.Connect(Inputs, node);
        return new DataStreamSink(node);
    }

    /// <summary>Calls <paramref name="action"/> for every record (from several threads at once when parallel).</summary>
    public DataStreamSink ForEach(Action<T> action, string name = "ForEach") => SinkTo(new CallbackSink<T>(action), name);

    /// <summary>Prints every record to standard output.</summary>
    public DataStreamSink Print(Func<T, string>? format = null, string name = "Print") => SinkTo(new ConsoleSink<T>(format), name);

    /// <summary>Names the operator that produced this stream (logs, metrics, `weir jobs list`).</summary>
    public DataStream<T> WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        RequireProducer("WithName").Name = name;
        return this;
    }

    /// <summary>
    /// Gives the producing operator a stable id for its state in checkpoints. Without one the id is its position
    /// in the job and its name, so adding an operator before it makes a checkpoint unusable for it.
    /// </summary>
    public DataStream<T> WithUid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        RequireProducer("WithUid").Uid = uid;
        return this;
    }

    /// <summary>Runs the producing operator with its own number of subtasks.</summary>
    public DataStream<T> WithParallelism(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        RequireProducer("WithParallelism").Parallelism = parallelism;
        return this;
    }

    /// <summary>Keeps the producing operator out of its input's chain (its own subtask, its own thread).</summary>
    public DataStream<T> WithoutChaining()
    {
        RequireProducer("WithoutChaining").ChainingDisabled = true;
        return this;
    }

    internal DataStream<TOut> Transform<TOut>(string name, Func<OneInputOperator<T, TOut>> factory, bool keyed = false)
    {
        var node = Environment.Add(id => new OperatorNode<T, TOut>(id, name, factory) { IsKeyed = keyed });
        StreamEnvironment.Connect(Inputs, node);
        return new DataStream<TOut>(Environment, [new StreamRef<TOut>(node, null, Partitioning.Forward, null)], node);
    }

    private StreamNode RequireProducer(string method) =>
        Producer ?? throw new InvalidOperationException($"{method} applies to the output of an operator, not to a union, a side output or a re-partitioned stream");
}

/// <summary>The end of a stream (a sink), to configure its operator.</summary>
public sealed class DataStreamSink
{
    private readonly StreamNode _node;

    internal DataStreamSink(StreamNode node) => _node = node;

    public DataStreamSink WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _node.Name = name;
        return this;
    }

    public DataStreamSink WithUid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        _node.Uid = uid;
        return this;
    }

    public DataStreamSink WithParallelism(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        _node.Parallelism = parallelism;
        return this;
    }
}
