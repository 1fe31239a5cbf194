using Microsoft.Extensions.Logging;
using Weir.Streams.Runtime;

namespace Weir.Streams.Sources;

/// <summary>
/// A source of records: a factory for one reader per parallel subtask. Bounded sources end (and the job with
/// them, once every window has fired); unbounded ones run until the job is cancelled. Kafka comes from
/// Weir.Connectors; collections and generators from <see cref="StreamEnvironment"/>.
/// </summary>
public interface ISource<T>
{
    bool IsBounded { get; }

    /// <summary>The most readers this source can use (a collection: 1); null for no limit.</summary>
    int? MaxParallelism => null;

    ISourceReader<T> CreateReader(SourceReaderContext context);
}

/// <summary>What a <see cref="ISourceReader{T}.Poll"/> call left behind.</summary>
public enum SourceStatus
{
    /// <summary>More records are ready: poll again soon.</summary>
    MoreAvailable,

    /// <summary>Nothing is ready; the reader calls <see cref="SourceReaderContext.SignalDataAvailable"/> when there is.</summary>
    NothingAvailable,

    /// <summary>The (bounded) input is exhausted.</summary>
    EndOfInput,
}

/// <summary>The position of one split (a partition, a file) in a checkpoint.</summary>
public readonly record struct SplitState(string SplitId, byte[] Position);

/// <summary>
/// Reads records for one subtask. All calls come from the subtask's thread; Poll must not block (a reader that
/// waits for I/O does it on its own thread and signals). Poll emits about <see cref="SourceReaderContext.BatchSize"/>
/// records at most, so watermarks, timers and checkpoints get their turn.
/// </summary>
public interface ISourceReader<T> : IDisposable
{
    SourceStatus Poll(ReaderOutput<T> output);

    /// <summary>The positions to resume from: the state after the last record emitted so far.</summary>
    IReadOnlyList<SplitState> SnapshotState(long checkpointId);

    /// <summary>Every operator has its state for the checkpoint: commit positions externally (Kafka group offsets).</summary>
    void NotifyCheckpointComplete(long checkpointId)
    {
    }
}

/// <summary>What a reader knows about where it runs, and how it talks back to the runtime.</summary>
public sealed class SourceReaderContext
{
    private readonly ISignal _signal;
    private readonly DeadLetterReporter _errors;

    internal SourceReaderContext(
        string jobName,
        string sourceName,
        int subtaskIndex,
        int parallelism,
        int batchSize,
        TimeProvider clock,
        ILogger logger,
        IReadOnlyList<SplitState> restoredSplits,
        bool isRestored,
        ISignal signal,
        DeadLetterReporter errors,
        CancellationToken cancellation)
    {
        JobName = jobName;
        SourceName = sourceName;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        BatchSize = batchSize;
        Clock = clock;
        Logger = logger;
        RestoredSplits = restoredSplits;
        IsRestored = isRestored;
        _signal = signal;
        _errors = errors;
        Cancellation = cancellation;
    }

    public string JobName { get; }

    public string SourceName { get; }

    public int SubtaskIndex { get; }

    public int Parallelism { get; }

    /// <summary>About how many records one Poll should emit.</summary>
    public int BatchSize { get; }

    public TimeProvider Clock { get; }

    public ILogger Logger { get; }

    /// <summary>
    /// Split positions from the checkpoint the job resumes from, of every reader of the previous run (parallelism
    /// may have changed): each reader takes the splits it is assigned now. Empty on a fresh start.
    /// </summary>
    public IReadOnlyList<SplitState> RestoredSplits { get; }

    /// <summary>True when the job resumed from a checkpoint (even one in which this source had no splits).</summary>
    public bool IsRestored { get; }

    /// <summary>Cancelled when the job stops.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Wakes the subtask after a Poll returned <see cref="SourceStatus.NothingAvailable"/>. Thread-safe.</summary>
    public void SignalDataAvailable() => _signal.Set();

    /// <summary>Sends a record that could not be read (bad bytes) to the dead letters; the job goes on.</summary>
    public void ReportFailedRecord(string stage, string reason, Exception? error, RecordOrigin origin) =>
        _errors.Report(stage, reason, error, null, origin);
}

/// <summary>Where a reader emits records of one split, and that split's watermarks.</summary>
public abstract class SourceOutput<T>
{
    /// <summary>Emits a record that has no timestamp of its own (the watermark strategy's assigner may give it one).</summary>
    public abstract void Collect(T value);

    /// <summary>Emits a record with the source's timestamp (ms since the Unix epoch, e.g. Kafka's record timestamp).</summary>
    public abstract void Collect(T value, long sourceTimestamp);

    /// <summary>Emits a record with its source position and original bytes (reported with it if it fails downstream).</summary>
    public abstract void Collect(T value, long sourceTimestamp, in RecordOrigin origin);

    /// <summary>Emits a watermark directly (a source that knows event time; lower ones are ignored).</summary>
    public abstract void EmitWatermark(long watermark);

    /// <summary>Declares this split idle until it emits again.</summary>
    public abstract void MarkIdle();
}

/// <summary>
/// The output a reader polls into. A reader with several splits (Kafka partitions) emits each split's records
/// through <see cref="ForSplit"/>, so each split gets its own watermark generator and the source's watermark is
/// their minimum (idle splits excluded), as Flink does per partition.
/// </summary>
public abstract class ReaderOutput<T> : SourceOutput<T>
{
    /// <summary>The output of one split, created on first use.</summary>
    public abstract SourceOutput<T> ForSplit(string splitId);

    /// <summary>The split has ended (bounded input) or moved away: it no longer holds the watermark back.</summary>
    public abstract void ReleaseSplit(string splitId);
}
