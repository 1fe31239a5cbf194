using Weir.Streams.Runtime;

namespace Weir.Streams;

/// <summary>A running job: wait for it, cancel it, look at it.</summary>
public sealed class JobHandle : IAsyncDisposable
{
    internal JobHandle(JobRuntime runtime)
    {
        Runtime = runtime;
        Id = JobRegistry.Register(this);
    }

    internal JobRuntime Runtime { get; }

    /// <summary>Unique in this process: the name and a sequence number.</summary>
    public string Id { get; }

    public string Name => Runtime.Setup.JobName;

    public DateTimeOffset StartedAt => Runtime.StartedAt;

    public JobStatus Status => Runtime.Status;

    /// <summary>The job as it is now: operators with records in and out and watermarks, the last checkpoint.</summary>
    public JobInfo Describe() => Runtime.Describe(Id);

    /// <summary>
    /// Completes when the job ends: successfully once bounded input is exhausted, cancelled after
    /// <see cref="Cancel"/>, faulted with <see cref="JobFailedException"/> when a subtask failed.
    /// </summary>
    public Task Completion => Runtime.Completion;

    /// <summary>Completes once every subtask has started (sources connected, state restored), or the job ended first.</summary>
    public Task Running => Runtime.Opened;

    /// <summary>The checkpoint this run resumed from (null: a fresh start).</summary>
    public long? RestoredFromCheckpoint => Runtime.Setup.Restored?.Id;

    /// <summary>The id of the last completed checkpoint (0 when none).</summary>
    public long LastCheckpointId => Runtime.Checkpoints?.LastCompletedId ?? 0;

    /// <summary>Raised when a checkpoint completes (on a job thread: keep handlers short).</summary>
    public event Action<long>? CheckpointCompleted
    {
        add => (Runtime.Checkpoints ?? throw new InvalidOperationException("checkpointing is off for this job")).Completed += value;
        remove
        {
            if (Runtime.Checkpoints is { } checkpoints)
            {
                checkpoints.Completed -= value;
            }
        }
    }

    /// <summary>Starts a checkpoint now (besides the periodic ones); returns its id, or null when one is running.</summary>
    public long? TriggerCheckpoint() =>
        (Runtime.Checkpoints ?? throw new InvalidOperationException("checkpointing is off for this job: set JobOptions.CheckpointDirectory")).Trigger();

    /// <summary>Stops every subtask; <see cref="Completion"/> then completes as cancelled.</summary>
    public void Cancel() => Runtime.Cancel();

    public async ValueTask DisposeAsync()
    {
        Cancel();
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (JobFailedException)
        {
        }

        Runtime.Dispose();
    }
}
