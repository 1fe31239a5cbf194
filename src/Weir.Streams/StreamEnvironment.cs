using Weir.Streams.Graph;
using Weir.Streams.Runtime;
using Weir.Streams.Sources;
using Weir.Streams.Time;

namespace Weir.Streams;

/// <summary>
/// Builds a job: add sources, transform the streams they return, add sinks, then run it with
/// <see cref="ExecuteAsync"/> (or <see cref="Start"/> for a handle to a running job). One environment builds one job.
/// </summary>
/// <example>
/// <code>
/// var env = StreamEnvironment.Create(new JobOptions { Name = "counts", Parallelism = 2 });
/// env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness&lt;Reading&gt;(TimeSpan.FromSeconds(10)), "readings")
///    .KeyBy(r =&gt; r.SensorId)
///    .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
///    .Aggregate(new CountAggregate(), (sensor, window, count) =&gt; new SensorCount(sensor, window.Start, count))
///    .SinkTo(sink);
/// await env.ExecuteAsync(cancellationToken);
/// </code>
/// </example>
public sealed class StreamEnvironment
{
    private readonly List<StreamNode> _nodes = [];
    private bool _built;

    private StreamEnvironment(JobOptions options)
    {
        options.Validate();
        Options = options;
    }

    public JobOptions Options { get; }

    public static StreamEnvironment Create(JobOptions? options = null) => new(options ?? new JobOptions());

    /// <summary>Reads a source; <paramref name="watermarks"/> assigns event timestamps and watermarks per split.</summary>
    public DataStream<T> FromSource<T>(ISource<T> source, WatermarkStrategy<T> watermarks, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(watermarks);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var node = Add(id => new SourceNode<T>(id, name, source, watermarks));
        return new DataStream<T>(this, [new StreamRef<T>(node, null, Partitioning.Forward, null)], node);
    }

    /// <summary>Reads an in-memory sequence once (one subtask); records have no timestamp unless <paramref name="watermarks"/> assigns one.</summary>
    public DataStream<T> FromCollection<T>(IEnumerable<T> items, WatermarkStrategy<T>? watermarks = null, string name = "Collection") =>
        FromSource(new CollectionSource<T>(items), watermarks ?? WatermarkStrategy.NoWatermarks<T>(), name);

    /// <summary>Records generate(0) … generate(count − 1), spread over the subtasks; forever when <paramref name="count"/> is null.</summary>
    public DataStream<T> FromGenerator<T>(Func<long, T> generate, long? count, WatermarkStrategy<T>? watermarks = null, double? recordsPerSecond = null, string name = "Generator") =>
        FromSource(new GeneratorSource<T>(generate, count, recordsPerSecond), watermarks ?? WatermarkStrategy.NoWatermarks<T>(), name);

    /// <summary>Starts the job on its own threads and returns at once.</summary>
    public JobHandle Start()
    {
        var runtime = Build(stepped: false);
        var handle = new JobHandle(runtime);
        runtime.Start();
        return handle;
    }

    /// <summary>
    /// Runs the job until its bounded sources are exhausted (and every window has fired), or until
    /// <paramref name="cancellationToken"/> is cancelled (then throws <see cref="OperationCanceledException"/>).
    /// A failing subtask fails the job with <see cref="JobFailedException"/>; bad records never do.
    /// </summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var handle = Start();
        await using (cancellationToken.Register(handle.Cancel))
        {
            try
            {
                await handle.Completion.ConfigureAwait(false);
            }
            catch (TaskCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    internal JobRuntime Build(bool stepped)
    {
        if (_built)
        {
            throw new InvalidOperationException("this environment's job was already started: build a new StreamEnvironment for another run");
        }

        _built = true;
        return new JobRuntime(_nodes, Options, stepped);
    }

    internal TNode Add<TNode>(Func<int, TNode> create)
        where TNode : StreamNode
    {
        if (_built)
        {
            throw new InvalidOperationException("the job was already started; operators cannot be added any more");
        }

        var node = create(_nodes.Count + 1);
        _nodes.Add(node);
        return node;
    }

    internal static void Connect<T>(IReadOnlyList<StreamRef<T>> inputs, StreamNode target)
    {
        foreach (var input in inputs)
        {
            var edge = new StreamEdge<T>(input.Node, target, input.SideOutputId, input.Partitioning, input.Key);
            input.Node.Outputs.Add(edge);
            target.Inputs.Add(edge);
        }
    }
}

/// <summary>One producer of a stream: a node's main or side output, and how it is partitioned on the way.</summary>
internal sealed record StreamRef<T>(StreamNode Node, string? SideOutputId, Partitioning Partitioning, KeySpec<T>? Key);
