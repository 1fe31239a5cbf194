using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Weir.Streams.Operators;
using Weir.Streams.Sources;

namespace Weir.Streams.Runtime;

internal enum MailKind
{
    TriggerCheckpoint,
    CheckpointComplete,
}

/// <summary>
/// One parallel instance of an operator chain: its input (a source reader or channels from upstream subtasks),
/// its chained operators and its outputs. Everything it does happens in <see cref="Step"/>, one piece of work
/// at a time, on one thread: its own thread in a running job, the test's thread in a stepped run. Other threads
/// reach it only through its mailbox (checkpoint trigger and completion) and its signal.
/// </summary>
internal abstract class Subtask
{
    private readonly ConcurrentQueue<(MailKind Kind, long Id)> _mailbox = new();
    private long _lastFlushCheck;

    protected Subtask(SubtaskSetup setup)
    {
        Setup = setup;
    }

    public SubtaskSetup Setup { get; }

    public string Name => $"{Setup.ChainName} ({Setup.Index + 1}/{Setup.Parallelism})";

    public bool IsFinished { get; private set; }

    public bool IsOpen { get; private set; }

    protected JobSetup Job => Setup.Job;

    /// <summary>The watermark this subtask has passed into its chain.</summary>
    public abstract long InputWatermark { get; }

    /// <summary>Whether this subtask waits on something outside the job (a source) rather than on its channels.</summary>
    public abstract bool IsSource { get; }

    public void Post(MailKind kind, long id)
    {
        _mailbox.Enqueue((kind, id));
        Setup.Signal.Set();
    }

    public virtual void Open()
    {
        if (Job.Restored is { } restored)
        {
            foreach (var (node, op) in OperatorNodes())
            {
                var snapshots = restored.OperatorState(node.OperatorId);
                if (snapshots.Count > 0)
                {
                    var readers = snapshots.Select(bytes => new BinaryReader(new MemoryStream(bytes))).ToList();
                    op.RestoreState(readers);
                }
            }
        }

        // Open from the tail, so an operator's downstream is ready before it can emit.
        for (var i = Setup.Operators.Count - 1; i >= 0; i--)
        {
            Setup.Operators[i].Open();
        }

        IsOpen = true;
    }

    /// <summary>Does one piece of work (mail, due timers, one input element); returns whether there was any.</summary>
    public bool Step()
    {
        var progress = DrainMailbox();
        progress |= Setup.Timers.RunDue();
        if (!IsFinished)
        {
            progress |= StepInput();
        }

        if (progress && Job.Options.BufferTimeout > TimeSpan.Zero)
        {
            var now = Job.Clock.GetTimestamp();
            if (now - _lastFlushCheck >= Job.BufferTimeoutTicks / 2)
            {
                _lastFlushCheck = now;
                foreach (var writer in Setup.Writers)
                {
                    writer.FlushExpired(now, Job.BufferTimeoutTicks);
                }
            }
        }

        return progress;
    }

    /// <summary>Sends every partly filled batch (the subtask ran out of input); returns whether anything was sent.</summary>
    public bool FlushOutputs()
    {
        var any = false;
        foreach (var writer in Setup.Writers)
        {
            any |= writer.FlushPartial();
        }

        return any;
    }

    protected abstract bool StepInput();

    /// <summary>The input is exhausted: let operators flush, tell downstream, and stop.</summary>
    protected void Finish()
    {
        foreach (var op in Setup.Operators)
        {
            op.EndInput();
        }

        foreach (var writer in Setup.Writers)
        {
            writer.BroadcastEndOfInput();
        }

        IsFinished = true;
        Job.Checkpoints?.SubtaskFinished(this);
        Setup.Logger.LogDebug("{Subtask} finished", Name);
    }

    /// <summary>Snapshots this subtask for checkpoint <paramref name="checkpointId"/> and sends the barrier on.</summary>
    protected void PerformCheckpoint(long checkpointId, IReadOnlyList<SplitState>? sourceSplits, string? sourceId)
    {
        foreach (var op in Setup.Operators)
        {
            op.PrepareSnapshot(checkpointId);
        }

        foreach (var writer in Setup.Writers)
        {
            writer.BroadcastBarrier(checkpointId);
        }

        // The synchronous part: a copy of every operator's state, taken before the next record can change it. The
        // coordinator writes the file (in a running job, on its own thread while this subtask goes on).
        var state = new Checkpoints.SubtaskState();
        try
        {
            if (sourceSplits is not null)
            {
                state.SourceSplits[sourceId!] = [.. sourceSplits];
            }

            foreach (var (node, op) in OperatorNodes())
            {
                if (op.HasState)
                {
                    var buffer = new Checkpoints.SnapshotBuffer();
                    state.Operators[node.OperatorId] = buffer;
                    using var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true);
                    op.SnapshotState(writer);
                }
            }
        }
        catch
        {
            state.Dispose();
            throw;
        }

        if (Job.Checkpoints is { } checkpoints)
        {
            checkpoints.Acknowledge(checkpointId, this, state);
        }
        else
        {
            state.Dispose();
        }
    }

    protected virtual void OnCheckpointComplete(long checkpointId)
    {
        foreach (var op in Setup.Operators)
        {
            op.NotifyCheckpointComplete(checkpointId);
        }
    }

    protected virtual void OnTriggerCheckpoint(long checkpointId)
    {
    }

    public virtual void Close()
    {
        foreach (var op in Setup.Operators)
        {
            try
            {
                op.Close();
            }
            catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
            {
                Setup.Logger.LogWarning(error, "{Subtask}: closing {Operator} failed", Name, op.Context.OperatorName);
            }
        }

        Setup.Timers.Dispose();
    }

    /// <summary>Releases threads blocked on this subtask's full output channels.</summary>
    public void Cancel()
    {
        foreach (var writer in Setup.Writers)
        {
            writer.Cancel();
        }

        Setup.Signal.Set();
    }

    /// <summary>Pairs each operator with its node (a source chain's first node has no operator).</summary>
    private IEnumerable<(Graph.StreamNode Node, StreamOperator Op)> OperatorNodes()
    {
        var offset = Setup.Nodes.Count - Setup.Operators.Count;
        for (var i = 0; i < Setup.Operators.Count; i++)
        {
            yield return (Setup.Nodes[i + offset], Setup.Operators[i]);
        }
    }

    private bool DrainMailbox()
    {
        var any = false;
        while (_mailbox.TryDequeue(out var mail))
        {
            any = true;
            if (mail.Kind == MailKind.TriggerCheckpoint)
            {
                if (!IsFinished)
                {
                    OnTriggerCheckpoint(mail.Id);
                }
            }
            else
            {
                OnCheckpointComplete(mail.Id);
            }
        }

        return any;
    }
}
