using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Weir.Streams.Runtime;

namespace Weir.Streams.Checkpoints;

/// <summary>
/// Starts aligned checkpoints and completes them. A checkpoint begins at the sources (each snapshots its reader
/// and sends a barrier downstream); every subtask snapshots when the barrier has reached it on all its inputs and
/// writes its own file; when the last subtask has written, the checkpoint's metadata is renamed into place (the
/// checkpoint is complete) and every subtask hears of it (sinks and sources commit then). One checkpoint at a
/// time; once any subtask has finished, no new checkpoint starts.
/// <para>
/// In a running job the files are written on a thread of the coordinator's own, as Flink writes snapshots
/// asynchronously: a subtask only copies its state and goes on with the next record. Writing (and fsyncing) a
/// large state on the subtask's thread held the LPBF job for up to 0.9 s every checkpoint. Stepped runs (tests)
/// write on the subtask's thread, so that a step leaves the checkpoint done.
/// </para>
/// </summary>
internal sealed class CheckpointCoordinator : IDisposable
{
    private readonly object _lock = new();
    private readonly JobSetup _job;
    private readonly CheckpointStorage _storage;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private IReadOnlyList<Subtask> _subtasks = [];
    private Pending? _pending;
    private long _nextId;
    private bool _anyFinished;
    private ITimer? _timer;
    private BlockingCollection<(long Id, Subtask Subtask, SubtaskState State)>? _writes;
    private Thread? _writer;
    private Action<Exception>? _writeFailed;
    private int _disposed;

    public CheckpointCoordinator(JobSetup job, CheckpointStorage storage, long lastId, ILogger logger)
    {
        _job = job;
        _storage = storage;
        _logger = logger;
        _nextId = lastId + 1;
        _timeout = job.Options.CheckpointTimeout;
    }

    /// <summary>Raised when a checkpoint completes, on the thread that wrote its last file (in a running job, the coordinator's writing thread).</summary>
    public event Action<long>? Completed;

    public long LastCompletedId { get; private set; }

    public DateTimeOffset? LastCompletedAt { get; private set; }

    public TimeSpan LastDuration { get; private set; }

    public long CompletedCount { get; private set; }

    public long AbortedCount { get; private set; }

    public string Directory => _storage.Directory;

    public void Attach(IReadOnlyList<Subtask> subtasks) => _subtasks = subtasks;

    /// <summary>Test hook: runs on the writing thread just before a subtask's file is written.</summary>
    internal Action<long>? BeforeWrite { get; set; }

    /// <summary>
    /// From now on, files are written on the coordinator's own thread. A failed write gives up its checkpoint and
    /// is reported to <paramref name="failed"/> (the job fails, as it does when a subtask's own work fails).
    /// </summary>
    public void WriteInBackground(Action<Exception> failed)
    {
        _writeFailed = failed;
        _writes = new BlockingCollection<(long, Subtask, SubtaskState)>();
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = $"weir:{_job.JobName}:checkpoints" };
        _writer.Start();
    }

    /// <summary>Starts the periodic trigger (when an interval is configured).</summary>
    public void StartPeriodic()
    {
        if (_job.Options.CheckpointInterval is { } interval)
        {
            _timer = _job.Clock.CreateTimer(static s => ((CheckpointCoordinator)s!).Trigger(), this, interval, interval);
        }
    }

    /// <summary>Starts a checkpoint now; returns its id, or null when one is still running or a subtask has finished.</summary>
    public long? Trigger()
    {
        long id;
        List<Subtask> sources;
        lock (_lock)
        {
            if (_pending is { } running)
            {
                if (_job.Clock.GetUtcNow() - running.StartedAt < _timeout)
                {
                    return null;
                }

                _logger.LogWarning("job {Job}: checkpoint {Id} expired after {Timeout} before completing", _job.JobName, running.Id, _timeout);
                AbortLocked();
            }

            if (_anyFinished || _subtasks.Count == 0 || _subtasks.Any(s => !s.IsOpen))
            {
                return null;
            }

            id = _nextId++;
            _pending = new Pending(id, _job.Clock.GetUtcNow(), [.. _subtasks]);
            sources = [.. _subtasks.Where(s => s.IsSource)];
        }

        foreach (var source in sources)
        {
            source.Post(MailKind.TriggerCheckpoint, id);
        }

        return id;
    }

    /// <summary>
    /// A subtask has snapshotted checkpoint <paramref name="id"/>: write its file (now, or on the writing thread)
    /// and complete the checkpoint when it was the last. Takes over <paramref name="state"/>.
    /// </summary>
    public void Acknowledge(long id, Subtask subtask, SubtaskState state)
    {
        lock (_lock)
        {
            if (_pending?.Id != id)
            {
                state.Dispose();
                return;
            }
        }

        if (_writes is { } writes)
        {
            try
            {
                writes.Add((id, subtask, state));
                return;
            }
            catch (InvalidOperationException)
            {
                // The coordinator is shutting down: the job is ending, and so is this checkpoint.
                state.Dispose();
                return;
            }
        }

        using (state)
        {
            Write(id, subtask, state);
        }
    }

    private void WriteLoop()
    {
        foreach (var (id, subtask, state) in _writes!.GetConsumingEnumerable())
        {
            using (state)
            {
                try
                {
                    Write(id, subtask, state);
                }
                catch (Exception error)
                {
                    // Whatever happens here, the loop goes on: a writer that stopped would leave every later
                    // snapshot queued in memory and every later checkpoint unfinished.
                    bool current;
                    lock (_lock)
                    {
                        current = _pending?.Id == id;
                        if (current)
                        {
                            AbortLocked();
                        }
                    }

                    if (!current)
                    {
                        // Given up while it was written (a subtask finished, or it expired), perhaps with its folder
                        // deleted under the write: nothing is lost, and the job goes on.
                        _logger.LogDebug("job {Job}: writing the given-up checkpoint {Id} of {Subtask} failed: {Error}", _job.JobName, id, subtask.Name, error.Message);
                        TryDelete(id);
                        continue;
                    }

                    _logger.LogError(error, "job {Job}: writing checkpoint {Id} of {Subtask} failed", _job.JobName, id, subtask.Name);
                    try
                    {
                        _writeFailed?.Invoke(error);
                    }
                    catch (Exception report)
                    {
                        _logger.LogError(report, "job {Job}: reporting the failed checkpoint {Id} failed", _job.JobName, id);
                    }
                }
            }
        }
    }

    private void Write(long id, Subtask subtask, SubtaskState state)
    {
        BeforeWrite?.Invoke(id);
        var file = _storage.WriteSubtask(id, $"{subtask.Setup.ChainIndex}-{subtask.Setup.Index}", state);
        List<Subtask>? notify = null;
        lock (_lock)
        {
            if (_pending is not { } pending || pending.Id != id)
            {
                // Given up while the file was written (a subtask finished, or it expired): do not leave it behind.
                TryDelete(id);
                return;
            }

            pending.Waiting.Remove(subtask);
            pending.Files.Add(file);
            if (pending.Waiting.Count == 0)
            {
                var now = _job.Clock.GetUtcNow();
                _storage.Complete(id, pending.Files, now);
                LastCompletedId = id;
                LastCompletedAt = now;
                LastDuration = now - pending.StartedAt;
                CompletedCount++;
                _pending = null;
                notify = [.. _subtasks];
            }
        }

        if (notify is not null)
        {
            _logger.LogDebug("job {Job}: checkpoint {Id} complete", _job.JobName, id);
            foreach (var each in notify)
            {
                each.Post(MailKind.CheckpointComplete, id);
            }

            Completed?.Invoke(id);
        }
    }

    /// <summary>A subtask finished: a running checkpoint can no longer complete, and none starts again.</summary>
    public void SubtaskFinished(Subtask subtask)
    {
        lock (_lock)
        {
            _anyFinished = true;
            if (_pending is not null)
            {
                AbortLocked();
            }
        }
    }

    private void AbortLocked()
    {
        var pending = _pending!;
        _pending = null;
        AbortedCount++;
        TryDelete(pending.Id);
    }

    /// <summary>
    /// Deletes a given-up checkpoint's folder. Best effort: the writing thread may be adding a file to it at the same
    /// moment (it deletes the folder again once its write is done), an unfinished folder is never restored, and the
    /// next start deletes any that is left.
    /// </summary>
    private void TryDelete(long id)
    {
        try
        {
            _storage.Abort(id);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("job {Job}: could not remove the given-up checkpoint {Id}: {Error}", _job.JobName, id, error.Message);
        }
    }

    /// <summary>Stops the trigger and lets the writing thread finish the files already handed to it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer?.Dispose();
        if (_writes is { } writes)
        {
            writes.CompleteAdding();
            if (_writer is { } writer && writer != Thread.CurrentThread)
            {
                writer.Join();
            }
        }
    }

    private sealed class Pending(long id, DateTimeOffset startedAt, HashSet<Subtask> waiting)
    {
        public long Id { get; } = id;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public HashSet<Subtask> Waiting { get; } = waiting;

        public List<string> Files { get; } = [];
    }
}
