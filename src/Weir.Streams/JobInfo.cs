namespace Weir.Streams;

/// <summary>Where a job is in its life.</summary>
public enum JobStatus
{
    /// <summary>Subtasks are opening (connecting sources, restoring state).</summary>
    Starting,

    Running,

    /// <summary>Bounded input was exhausted and every subtask finished.</summary>
    Finished,

    Cancelled,

    Failed,
}

/// <summary>A snapshot of a job for `weir jobs list`, /api/jobs and dashboards.</summary>
public sealed record JobInfo(
    string Id,
    string Name,
    JobStatus Status,
    DateTimeOffset StartedAt,
    int Parallelism,
    IReadOnlyList<OperatorInfo> Operators,
    CheckpointInfo? LastCheckpoint,
    long DeadLetters,
    string? Failure);

/// <summary>One operator of a job, summed over its subtasks. Watermark: the lowest any of its subtasks has seen (null: none yet).</summary>
public sealed record OperatorInfo(
    string Name,
    string Id,
    int Parallelism,
    long RecordsIn,
    long RecordsOut,
    long? Watermark,
    long LateRecordsDropped);

/// <summary>The last completed checkpoint of a job.</summary>
public sealed record CheckpointInfo(long Id, DateTimeOffset CompletedAt, TimeSpan Duration, long Completed, long Aborted, string Directory);
