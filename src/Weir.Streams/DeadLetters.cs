namespace Weir.Streams;

/// <summary>
/// Where a record came from, as far as the source knows it: the source position and the original bytes.
/// Sources that read bytes (Kafka) fill it in; the runtime passes it to the dead-letter sink when a record
/// fails in a function chained behind that source.
/// </summary>
public readonly record struct RecordOrigin(
    string Source,
    int Partition,
    long Offset,
    long Timestamp,
    byte[]? Key,
    byte[]? Value)
{
    /// <summary>True when a source filled this origin in.</summary>
    public bool IsKnown => Source is not null;
}

/// <summary>
/// A record that carries its own <see cref="RecordOrigin"/>. The runtime knows a record's origin only in the chain
/// right behind its source; a record that fails after an exchange (a key-by to other subtasks) is dead-lettered
/// with the origin it carries instead, so that the dead letter still holds the original bytes. Worth it for
/// records that keep their source bytes anyway (a record of a few hundred KiB that wraps them); not for small ones.
/// </summary>
public interface IHasRecordOrigin
{
    RecordOrigin Origin { get; }
}

/// <summary>A record that could not be processed, with the reason and where it came from.</summary>
/// <param name="Job">The job's name.</param>
/// <param name="Stage">The operator (or step, such as "deserialize") that failed.</param>
/// <param name="Error">The reason, one line.</param>
/// <param name="Origin">The source position and original bytes when known (the failure happened before any exchange).</param>
/// <param name="Record">The record as the failing function saw it (null when it never became a record).</param>
/// <param name="Exception">The exception, when there was one.</param>
public sealed record DeadLetter(string Job, string Stage, string Error, RecordOrigin Origin, object? Record, Exception? Exception);

/// <summary>
/// Receives records that failed (deserialization, a user function throwing). Called from subtask threads,
/// so implementations are thread-safe. The Kafka connector provides one that writes a dead-letter topic.
/// </summary>
public interface IDeadLetterSink
{
    void Write(DeadLetter letter);

    /// <summary>Makes everything written so far durable (called when a checkpoint is taken and at the end of the job).</summary>
    void Flush();
}
