using Microsoft.Extensions.Logging;
using Weir.Streams.State;

namespace Weir.Streams;

/// <summary>Which clock a timer belongs to.</summary>
public enum TimeDomain
{
    /// <summary>Fires when the watermark reaches the timer's time.</summary>
    EventTime,

    /// <summary>Fires when the job's clock (<see cref="JobOptions.TimeProvider"/>) reaches the timer's time.</summary>
    ProcessingTime,
}

/// <summary>What a function knows about where it runs; passed to Open.</summary>
public class FunctionContext
{
    internal FunctionContext(string jobName, string operatorName, int subtaskIndex, int parallelism, ILogger logger)
    {
        JobName = jobName;
        OperatorName = operatorName;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        Logger = logger;
    }

    public string JobName { get; }

    public string OperatorName { get; }

    /// <summary>This subtask's index, 0 to <see cref="Parallelism"/> − 1.</summary>
    public int SubtaskIndex { get; }

    public int Parallelism { get; }

    public ILogger Logger { get; }
}

/// <summary>
/// What a keyed function can open: state scoped to the key of the record (or timer) being processed. Call these
/// in Open and keep the handles in fields; each handle reads and writes the current key's value.
/// </summary>
public abstract class KeyedFunctionContext : FunctionContext
{
    private protected KeyedFunctionContext(string jobName, string operatorName, int subtaskIndex, int parallelism, ILogger logger)
        : base(jobName, operatorName, subtaskIndex, parallelism, logger)
    {
    }

    /// <summary>One value per key. <paramref name="serializer"/> defaults to <see cref="StateSerializers.Default{T}"/>.</summary>
    public abstract IValueState<T> GetValueState<T>(string name, IStateSerializer<T>? serializer = null);

    /// <summary>A list per key.</summary>
    public abstract IListState<T> GetListState<T>(string name, IStateSerializer<T>? serializer = null);

    /// <summary>A map per key.</summary>
    public abstract IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(string name, IStateSerializer<TMapKey>? keySerializer = null, IStateSerializer<TValue>? valueSerializer = null)
        where TMapKey : notnull;
}

/// <summary>The record being processed and the clocks.</summary>
public abstract class ProcessContext
{
    /// <summary>The record's event timestamp (ms since the Unix epoch), or <see cref="Time.Timestamps.None"/>.</summary>
    public abstract long Timestamp { get; }

    /// <summary>The operator's current event time.</summary>
    public abstract long CurrentWatermark { get; }

    /// <summary>The job clock's time, ms since the Unix epoch.</summary>
    public abstract long CurrentProcessingTime { get; }

    /// <summary>Emits to a side output.</summary>
    public abstract void Output<T>(OutputTag<T> tag, T value);
}

/// <summary>Registers and deletes timers for the current key. Registering the same time twice fires once.</summary>
public interface ITimerService
{
    long CurrentProcessingTime { get; }

    long CurrentWatermark { get; }

    void RegisterEventTimeTimer(long time);

    void RegisterProcessingTimeTimer(long time);

    void DeleteEventTimeTimer(long time);

    void DeleteProcessingTimeTimer(long time);
}

/// <summary>The record being processed, its key and the timers.</summary>
public abstract class KeyedContext<TKey> : ProcessContext
{
    public abstract TKey CurrentKey { get; }

    public abstract ITimerService Timers { get; }
}

/// <summary>A timer that fired: its time is <see cref="ProcessContext.Timestamp"/>.</summary>
public abstract class KeyedTimerContext<TKey> : KeyedContext<TKey>
{
    public abstract TimeDomain TimeDomain { get; }
}

/// <summary>The window being emitted, and the clocks.</summary>
public abstract class WindowContext<TWindow>
{
    public abstract TWindow Window { get; }

    public abstract long CurrentWatermark { get; }

    public abstract long CurrentProcessingTime { get; }

    /// <summary>Emits to a side output.</summary>
    public abstract void Output<T>(OutputTag<T> tag, T value);
}
