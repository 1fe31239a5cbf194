using Weir.Streams.Graph;
using Weir.Streams.Sources;

namespace Weir.Streams.Runtime;

/// <summary>What a source subtask counts.</summary>
internal interface ISourceMetrics
{
    long RecordsOut { get; }
}

/// <summary>A subtask that reads a source: polls its reader, emits watermarks, starts checkpoints.</summary>
internal sealed class SourceSubtask<T>(SubtaskSetup setup, SourceNode<T> node, IOutput<T> chain) : Subtask(setup), IProcessingTimeCallback, ISourceMetrics
{
    private readonly SourceOutputs<T> _outputs = new(chain, node.Watermarks, setup.Errors, node.Name);
    private readonly long _intervalMs = Math.Max(1, (long)setup.Job.Options.WatermarkInterval.TotalMilliseconds);
    private ISourceReader<T>? _reader;

    public override long InputWatermark => _outputs.CurrentWatermark;

    public override bool IsSource => true;

    public long RecordsOut => _outputs.RecordsOut;

    public override void Open()
    {
        base.Open();
        var restored = Job.Restored;
        var context = new SourceReaderContext(
            Job.JobName,
            node.Name,
            Setup.Index,
            Setup.Parallelism,
            Job.Options.BatchSize,
            Job.Clock,
            Setup.Logger,
            restored?.SourceSplits(node.OperatorId) ?? [],
            restored is not null,
            Setup.Signal,
            Setup.Errors,
            Job.Cancellation);
        _reader = node.Source.CreateReader(context);
        Setup.Timers.Register(Setup.Timers.CurrentTime + _intervalMs, this);
    }

    protected override bool StepInput()
    {
        var status = _reader!.Poll(_outputs);
        _outputs.AfterPoll();
        switch (status)
        {
            case SourceStatus.EndOfInput:
                _outputs.EndOfInput();
                Finish();
                return true;
            case SourceStatus.MoreAvailable:
                return true;
            default:
                return false;
        }
    }

    public void OnProcessingTime(long time)
    {
        if (IsFinished)
        {
            return;
        }

        var now = Setup.Timers.CurrentTime;
        _outputs.Periodic(now);
        Setup.Timers.Register(now + _intervalMs, this);
    }

    protected override void OnTriggerCheckpoint(long checkpointId) =>
        PerformCheckpoint(checkpointId, _reader!.SnapshotState(checkpointId), node.OperatorId);

    protected override void OnCheckpointComplete(long checkpointId)
    {
        base.OnCheckpointComplete(checkpointId);
        _reader?.NotifyCheckpointComplete(checkpointId);
    }

    public override void Close()
    {
        try
        {
            _reader?.Dispose();
        }
        finally
        {
            base.Close();
        }
    }
}
