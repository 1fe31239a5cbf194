using Microsoft.Extensions.Logging;

namespace Weir.Streams.Sinks;

/// <summary>A destination for records: a factory for one writer per parallel subtask. Kafka comes from Weir.Connectors.</summary>
public interface ISink<T>
{
    ISinkWriter<T> CreateWriter(SinkContext context);
}

/// <summary>
/// Writes records for one subtask; all calls come from that subtask's thread. <see cref="Flush"/> runs before a
/// checkpoint completes and at the end of input: after it returns, everything written must be durable, so a job
/// restarted from that checkpoint loses nothing (it may write some records again: give them deterministic ids).
/// </summary>
public interface ISinkWriter<T> : IDisposable
{
    void Write(T value, long timestamp);

    void Flush();

    /// <summary>The checkpoint is complete everywhere (for sinks that publish or commit only then).</summary>
    void NotifyCheckpointComplete(long checkpointId)
    {
    }
}

/// <summary>What a sink writer knows about where it runs.</summary>
public sealed class SinkContext
{
    internal SinkContext(string jobName, string sinkName, int subtaskIndex, int parallelism, TimeProvider clock, ILogger logger)
    {
        JobName = jobName;
        SinkName = sinkName;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        Clock = clock;
        Logger = logger;
    }

    public string JobName { get; }

    public string SinkName { get; }

    public int SubtaskIndex { get; }

    public int Parallelism { get; }

    public TimeProvider Clock { get; }

    public ILogger Logger { get; }
}
