namespace Weir.Pipelines.Lpbf.Job;

/// <summary>Configuration section "Lpbf": the job (and the orchestrator's Kafka side).</summary>
internal sealed record LpbfJobOptions
{
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    /// <summary>Subtasks of the queries operator: tiles (keys) are spread over them.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>
    /// Subtasks of the raw-batch source; 0 (the default) = one per four queries subtasks. The source only reads a
    /// record's header and hands its tile on by reference, while a queries subtask inflates and computes it, so one
    /// source keeps several busy. On few cores every extra source is one more thread and Kafka consumer competing
    /// with the queries: at parallelism 2 on the 2-core machine one source was faster and had the lower p99
    /// (docs/benchmarks.md, "LPBF end to end").
    /// </summary>
    public int SourceParallelism { get; init; }

    /// <summary>The source's subtasks after resolving the default (0).</summary>
    public int EffectiveSourceParallelism => SourceParallelism > 0 ? SourceParallelism : (Math.Max(1, Parallelism) + 3) / 4;

    public LpbfTopics Topics { get; init; } = new();

    /// <summary>Consumer group the job commits its raw-batch offsets to when a checkpoint completes.</summary>
    public string GroupId { get; init; } = "lpbf-job";

    /// <summary>Checkpoint folder (windows and offsets); null = no checkpoints.</summary>
    public string? CheckpointDirectory { get; init; }

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a partial batch of records waits between operators: latency matters more than batching here.</summary>
    public TimeSpan BufferTimeout { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Producer linger of the job's sinks. None: the orchestrator posts each result the moment it arrives, so
    /// linger here is pure latency (1 ms of it made the step from the job to the orchestrator 1.6 ms on average
    /// instead of 0.4, docs/benchmarks.md).
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.Zero;
}
