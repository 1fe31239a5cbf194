using Microsoft.Extensions.Logging;
using Weir.Streams.Runtime;

namespace Weir.Streams.Checkpoints;

/// <summary>
/// Starts aligned checkpoints and completes them. A checkpoint begins at the sources (each snapshots its reader
/// and sends a barrier downstream); every subtask snapshots when the barrier has reached it on all its inputs and
/// writes its own file; when the last subtask has written, the checkpoint's metadata is renamed into place (the
/// checkpoint is complete) and every subtask hears of it (sinks and sources commit then). One checkpoint at a
/// time; once any subtask has finished, no new checkpoint starts.
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

    public CheckpointCoordinator(JobSetup job, CheckpointStorage storage, long lastId, ILogger logger)
    {
        _job = job;
        _storage = storage;
        _logger = logger;
        _nextId = lastId + 1;
        _timeout = job.Options.CheckpointTimeout;
    }

    /// <summary>Raised (on the thread of the last subtask to acknowledge) when a checkpoint completes.</summary>
    public event Action<long>? Completed;

    public long LastCompletedId { get; private set; }

    public DateTimeOffset? LastCompletedAt { get; private set; }

    public TimeSpan LastDuration { get; private set; }

    public long CompletedCount { get; private set; }

    public long AbortedCount { get; private set; }

    public string Directory => _storage.Directory;

    public void Attach(IReadOnlyList<Subtask> subtasks) => _subtasks = subtasks;

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

    /// <summary>A subtask has snapshotted checkpoint <paramref name="id"/>: write its file and complete the checkpoint when it was the last.</summary>
    public void Acknowledge(long id, Subtask subtask, SubtaskState state)
    {
        lock (_lock)
        {
            if (_pending?.Id != id)
            {
                return;
            }
        }

        var file = _storage.WriteSubtask(id, $"{subtask.Setup.ChainIndex}-{subtask.Setup.Index}", state);
        List<Subtask>? notify = null;
        lock (_lock)
        {
            if (_pending is not { } pending || pending.Id != id)
            {
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
        _storage.Abort(pending.Id);
    }

    public void Dispose() => _timer?.Dispose();

    private sealed class Pending(long id, DateTimeOffset startedAt, HashSet<Subtask> waiting)
    {
        public long Id { get; } = id;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public HashSet<Subtask> Waiting { get; } = waiting;

        public List<string> Files { get; } = [];
    }
}
