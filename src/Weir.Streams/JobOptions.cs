using Microsoft.Extensions.Logging;

namespace Weir.Streams;

/// <summary>
/// How a job runs: its name, parallelism, checkpointing, clock and batching. Every setting has a default that
/// suits one machine; see docs/engine.md ("Job options") for what each one trades.
/// </summary>
public sealed record JobOptions
{
    /// <summary>The job's name: used in logs, metrics, thread names, checkpoint folders and dead letters.</summary>
    public string Name { get; init; } = "job";

    /// <summary>Default number of parallel subtasks per operator (an operator may override it).</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>
    /// Number of key groups: the unit in which keyed state is split and redistributed. Parallelism can be
    /// changed between runs up to this value without losing state (as Flink's max parallelism).
    /// </summary>
    public int MaxParallelism { get; init; } = 128;

    /// <summary>How often an aligned checkpoint is taken; null (the default) turns checkpointing off.</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>Where checkpoints are written (one sub-folder per checkpoint); required when checkpointing is on.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>How many completed checkpoints are kept; older ones are deleted once a newer one completes.</summary>
    public int RetainedCheckpoints { get; init; } = 3;

    /// <summary>A checkpoint still running after this long is given up (the next one starts afresh).</summary>
    public TimeSpan CheckpointTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether a starting job resumes from the newest completed checkpoint in <see cref="CheckpointDirectory"/>.</summary>
    public bool RestoreFromCheckpoint { get; init; } = true;

    /// <summary>The clock for processing time, idleness, timers and checkpoint intervals (tests pass a FakeTimeProvider).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Records per batch handed between subtasks. Bigger batches cost latency and buy throughput.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// Longest time a partly filled batch waits before it is sent on while input keeps arriving. A subtask that
    /// runs out of input sends its partial batches at once, so this only bounds latency under steady load.
    /// </summary>
    public TimeSpan BufferTimeout { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Batches a channel between two subtasks holds before the sender waits (backpressure).</summary>
    public int ChannelCapacity { get; init; } = 8;

    /// <summary>
    /// How often sources re-evaluate watermarks when no data arrives (this is when idleness is detected).
    /// With data flowing, a source emits its watermark after every batch it reads.
    /// </summary>
    public TimeSpan WatermarkInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where records that fail in a user function go. Null: they are logged and counted, and the job goes on.</summary>
    public IDeadLetterSink? DeadLetters { get; init; }

    /// <summary>Logging for the runtime (job start and end, failures, checkpoints, dead letters).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(Name), "Name must not be empty");
        Check(Parallelism >= 1, $"Parallelism must be at least 1 (got {Parallelism})");
        Check(MaxParallelism >= Parallelism && MaxParallelism <= 32768, $"MaxParallelism must be between Parallelism and 32768 (got {MaxParallelism})");
        Check(BatchSize >= 1, $"BatchSize must be at least 1 (got {BatchSize})");
        Check(ChannelCapacity >= 1, $"ChannelCapacity must be at least 1 (got {ChannelCapacity})");
        Check(RetainedCheckpoints >= 1, $"RetainedCheckpoints must be at least 1 (got {RetainedCheckpoints})");
        Check(WatermarkInterval > TimeSpan.Zero, "WatermarkInterval must be positive");
        Check(BufferTimeout >= TimeSpan.Zero, "BufferTimeout must not be negative");
        if (CheckpointInterval is { } interval)
        {
            Check(interval > TimeSpan.Zero, "CheckpointInterval must be positive");
            Check(!string.IsNullOrWhiteSpace(CheckpointDirectory), "CheckpointDirectory is required when CheckpointInterval is set");
        }

        static void Check(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException($"invalid JobOptions: {message}");
            }
        }
    }
}
