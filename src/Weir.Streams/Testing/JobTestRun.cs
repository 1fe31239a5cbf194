using Weir.Streams.Runtime;

namespace Weir.Streams.Testing;

/// <summary>
/// Runs a job deterministically on the test's thread: every subtask of the real runtime (same operators, same
/// chaining, same exchanges and watermark logic), stepped until no subtask can make progress. Pair it with
/// <see cref="TestSource{T}"/>, <see cref="CollectSink{T}"/> and a FakeTimeProvider in <see cref="JobOptions.TimeProvider"/>:
/// feed input, call <see cref="Run"/>, assert, advance the clock, <see cref="Run"/> again. No threads, no sleeps.
/// </summary>
public sealed class JobTestRun : IDisposable
{
    private readonly JobRuntime _runtime;
    private bool _closed;

    private JobTestRun(JobRuntime runtime) => _runtime = runtime;

    /// <summary>Builds the environment's job for stepped execution (nothing runs until <see cref="Run"/>).</summary>
    public static JobTestRun Start(StreamEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new JobTestRun(environment.Build(stepped: true));
    }

    /// <summary>True once every subtask has finished (all input ended and every window fired).</summary>
    public bool IsFinished => _runtime.IsFinished;

    /// <summary>Processes everything that can be processed now: queued input, due timers, checkpoints.</summary>
    public JobTestRun Run()
    {
        _runtime.RunUntilIdle();
        return this;
    }

    /// <summary>Starts a checkpoint (the job needs a CheckpointDirectory); <see cref="Run"/> then completes it. Returns its id.</summary>
    public long TriggerCheckpoint() =>
        (_runtime.Checkpoints ?? throw new InvalidOperationException("set JobOptions.CheckpointDirectory to take checkpoints")).Trigger()
        ?? throw new InvalidOperationException("a checkpoint is still running, or a subtask has finished");

    /// <summary>The id of the last completed checkpoint (0 when none).</summary>
    public long LastCheckpointId => _runtime.Checkpoints?.LastCompletedId ?? 0;

    /// <summary>The combined watermark each subtask has passed into its chain, by subtask name.</summary>
    public IReadOnlyDictionary<string, long> Watermarks => _runtime.Subtasks.ToDictionary(s => s.Name, s => s.InputWatermark);

    /// <summary>Records sent to the dead letters so far, by stage.</summary>
    public IReadOnlyDictionary<string, long> DeadLetters => _runtime.Setup.Metrics.DeadLettersByStage;

    /// <summary>Closes every operator (sinks flush and dispose), as at the end of a job.</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        foreach (var subtask in _runtime.Subtasks)
        {
            if (subtask.IsOpen)
            {
                subtask.Close();
            }
        }

        _runtime.Dispose();
    }
}
