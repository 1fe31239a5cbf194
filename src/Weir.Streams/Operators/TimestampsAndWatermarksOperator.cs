using Weir.Streams.Runtime;
using Weir.Streams.Time;

namespace Weir.Streams.Operators;

/// <summary>
/// Assigns timestamps and generates watermarks in the middle of a job (one generator per subtask). Watermarks
/// from upstream are dropped, except the final one at end of input; this operator's own watermarks go out every
/// <see cref="JobOptions.WatermarkInterval"/>, which is also when idleness is detected.
/// </summary>
internal sealed class TimestampsAndWatermarksOperator<T>(WatermarkStrategy<T> strategy) : OneInputOperator<T, T>, IProcessingTimeCallback, IWatermarkOutput
{
    private readonly IWatermarkGenerator<T> _generator = strategy.GeneratorFactory();
    private long _intervalMs;
    private long _emitted = long.MinValue;
    private bool _sawEvent;
    private bool _idle;
    private long _lastActive = long.MinValue;

    public override void Open()
    {
        _intervalMs = Math.Max(1, (long)Context.WatermarkInterval.TotalMilliseconds);
        Context.ProcessingTime.Register(Context.ProcessingTime.CurrentTime + _intervalMs, this);
    }

    public override void ProcessElement(T value, long timestamp)
    {
        if (strategy.Assigner is { } assigner)
        {
            try
            {
                timestamp = assigner(value, timestamp);
            }
            catch (Exception error) when (DeadLetterReporter.IsRecordFailure(error))
            {
                Context.Errors.Report(Context.OperatorName, error, value);
                return;
            }
        }

        if (_idle)
        {
            _idle = false;
            Output.EmitIdle(false);
        }

        _sawEvent = true;
        Output.Collect(value, timestamp);
        _generator.OnEvent(value, timestamp, this);
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark == Timestamps.MaxWatermark)
        {
            EmitWatermark(watermark);
        }
    }

    public override void ProcessIdle(bool idle)
    {
    }

    public void OnProcessingTime(long time)
    {
        var now = Context.ProcessingTime.CurrentTime;
        if (_sawEvent || _lastActive == long.MinValue)
        {
            _sawEvent = false;
            _lastActive = now;
        }
        else if (strategy.IdleTimeout is { } timeout && !_idle && now - _lastActive >= (long)timeout.TotalMilliseconds)
        {
            _idle = true;
            Output.EmitIdle(true);
        }

        if (!_idle)
        {
            _generator.OnPeriodicEmit(this);
        }

        if (_emitted != Timestamps.MaxWatermark)
        {
            Context.ProcessingTime.Register(now + _intervalMs, this);
        }
    }

    public void EmitWatermark(long watermark)
    {
        if (watermark > _emitted)
        {
            _emitted = watermark;
            CurrentWatermark = watermark;
            Output.EmitWatermark(watermark);
        }
    }
}
