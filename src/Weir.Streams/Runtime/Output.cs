namespace Weir.Streams.Runtime;

/// <summary>
/// Where an operator sends what it produces: the next chained operator, a record writer (network exchange) or
/// several of these. Records, watermarks and idleness flow through the same path, so they stay in order.
/// </summary>
internal interface IOutput<in T>
{
    void Collect(T value, long timestamp);

    void EmitWatermark(long watermark);

    void EmitIdle(bool idle);
}

/// <summary>Output for a stream nobody consumes.</summary>
internal sealed class DiscardOutput<T> : IOutput<T>
{
    public static readonly DiscardOutput<T> Instance = new();

    public void Collect(T value, long timestamp)
    {
    }

    public void EmitWatermark(long watermark)
    {
    }

    public void EmitIdle(bool idle)
    {
    }
}

/// <summary>One stream consumed by several operators (chained or not): each gets every record.</summary>
internal sealed class FanOutOutput<T>(IOutput<T>[] outputs) : IOutput<T>
{
    public void Collect(T value, long timestamp)
    {
        foreach (var output in outputs)
        {
            output.Collect(value, timestamp);
        }
    }

    public void EmitWatermark(long watermark)
    {
        foreach (var output in outputs)
        {
            output.EmitWatermark(watermark);
        }
    }

    public void EmitIdle(bool idle)
    {
        foreach (var output in outputs)
        {
            output.EmitIdle(idle);
        }
    }

    public static IOutput<T> Of(IReadOnlyList<IOutput<T>> outputs) => outputs.Count switch
    {
        0 => DiscardOutput<T>.Instance,
        1 => outputs[0],
        _ => new FanOutOutput<T>([.. outputs]),
    };
}

/// <summary>
/// An operator's outputs: the main stream and its side outputs. Counts records out. Watermarks and idleness go
/// to side outputs too (as in Flink), so operators behind a side output see event time advance.
/// </summary>
internal sealed class OperatorOutput<T> : IOutput<T>
{
    private readonly IOutput<T> _main;
    private readonly Dictionary<string, object> _sides;
    private readonly IControlOutput[] _sideControls;

    public OperatorOutput(IOutput<T> main, Dictionary<string, object> sides)
    {
        _main = main;
        _sides = sides;
        _sideControls = [.. sides.Values.Cast<IControlOutput>()];
    }

    public long RecordsOut { get; private set; }

    public void Collect(T value, long timestamp)
    {
        RecordsOut++;
        _main.Collect(value, timestamp);
    }

    /// <summary>The output for a side-output tag (records go nowhere when no stream reads the tag).</summary>
    public IOutput<TSide> Side<TSide>(OutputTag<TSide> tag) =>
        _sides.TryGetValue(tag.Id, out var output) ? ((SideOutput<TSide>)output).Target : DiscardOutput<TSide>.Instance;

    public void EmitWatermark(long watermark)
    {
        _main.EmitWatermark(watermark);
        foreach (var side in _sideControls)
        {
            side.EmitWatermark(watermark);
        }
    }

    public void EmitIdle(bool idle)
    {
        _main.EmitIdle(idle);
        foreach (var side in _sideControls)
        {
            side.EmitIdle(idle);
        }
    }
}

internal interface IControlOutput
{
    void EmitWatermark(long watermark);

    void EmitIdle(bool idle);
}

/// <summary>A side output's consumers, typed by the tag's element type.</summary>
internal sealed class SideOutput<T>(IOutput<T> target) : IControlOutput
{
    public IOutput<T> Target { get; } = target;

    public void EmitWatermark(long watermark) => Target.EmitWatermark(watermark);

    public void EmitIdle(bool idle) => Target.EmitIdle(idle);
}

/// <summary>Gives access to an operator's side outputs (for contexts handed to user functions).</summary>
internal interface IOutputProvider
{
    IOutput<T> Side<T>(OutputTag<T> tag);
}
