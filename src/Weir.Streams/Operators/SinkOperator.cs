using Weir.Streams.Runtime;
using Weir.Streams.Sinks;

namespace Weir.Streams.Operators;

/// <summary>Hands records to a sink writer; flushes it before every checkpoint barrier and at the end of input.</summary>
internal sealed class SinkOperator<T>(ISink<T> sink) : OneInputOperator<T, NoOutput>
{
    private ISinkWriter<T> _writer = null!;
    private long _written;

    public override long RecordsOut => _written;

    public override void Open() =>
        _writer = sink.CreateWriter(new SinkContext(Context.JobName, Context.OperatorName, Context.SubtaskIndex, Context.Parallelism, Context.Clock, Context.Logger));

    public override void ProcessElement(T value, long timestamp)
    {
        try
        {
            _writer.Write(value, timestamp);
            _written++;
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error) && error is not IOException)
        {
            Context.Errors.Report(Context.OperatorName, error, value);
        }
    }

    public override void ProcessWatermark(long watermark) => CurrentWatermark = watermark;

    public override void ProcessIdle(bool idle)
    {
    }

    public override void PrepareSnapshot(long checkpointId) => _writer.Flush();

    public override void EndInput() => _writer.Flush();

    public override void NotifyCheckpointComplete(long checkpointId) => _writer.NotifyCheckpointComplete(checkpointId);

    public override void Close() => _writer?.Dispose();
}
