using Weir.Streams.Runtime;

namespace Weir.Streams.Operators;

internal sealed class MapOperator<TIn, TOut>(Func<TIn, TOut> map) : OneInputOperator<TIn, TOut>
{
    public override void ProcessElement(TIn value, long timestamp)
    {
        TOut result;
        try
        {
            result = map(value);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
            return;
        }

        Output.Collect(result, timestamp);
    }
}

internal sealed class FilterOperator<T>(Func<T, bool> predicate) : OneInputOperator<T, T>
{
    public override void ProcessElement(T value, long timestamp)
    {
        bool keep;
        try
        {
            keep = predicate(value);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
            return;
        }

        if (keep)
        {
            Output.Collect(value, timestamp);
        }
    }
}

/// <summary>FlatMap: the function emits zero or more records through a collector (no enumerator per record).</summary>
internal sealed class FlatMapOperator<TIn, TOut>(Action<TIn, Collector<TOut>> flatMap) : OneInputOperator<TIn, TOut>
{
    private TimestampedCollector<TOut> _collector = null!;

    public override void Open() => _collector = new TimestampedCollector<TOut>(Output);

    public override void ProcessElement(TIn value, long timestamp)
    {
        _collector.Timestamp = timestamp;
        try
        {
            flatMap(value, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
        }
    }
}

internal sealed class ProcessOperator<TIn, TOut>(ProcessFunction<TIn, TOut> function) : OneInputOperator<TIn, TOut>
{
    private TimestampedCollector<TOut> _collector = null!;
    private ElementContext _context = null!;

    public override void Open()
    {
        _collector = new TimestampedCollector<TOut>(Output);
        _context = new ElementContext(this);
        function.Open(Context.ToFunctionContext());
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        _collector.Timestamp = timestamp;
        _context.Time = timestamp;
        try
        {
            function.ProcessElement(value, _context, _collector);
        }
        catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
        {
            Context.Errors.Report(Context.OperatorName, error, value);
        }
    }

    public override void Close() => function.Close();

    private sealed class ElementContext(ProcessOperator<TIn, TOut> owner) : ProcessContext
    {
        public long Time { get; set; }

        public override long Timestamp => Time;

        public override long CurrentWatermark => owner.CurrentWatermark;

        public override long CurrentProcessingTime => owner.Context.ProcessingTime.CurrentTime;

        public override void Output<T>(OutputTag<T> tag, T value) => owner.Output.Side(tag).Collect(value, Time);
    }
}
