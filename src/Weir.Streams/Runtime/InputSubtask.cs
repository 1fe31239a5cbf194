namespace Weir.Streams.Runtime;

/// <summary>
/// A subtask that reads channels from upstream subtasks: feeds record batches into its chain, combines the
/// channels' watermarks, and aligns checkpoint barriers (a channel that delivered the barrier is not read again
/// until every channel has delivered it, so the snapshot holds exactly the records before the barrier).
/// </summary>
internal sealed class InputSubtask<T> : Subtask
{
    private readonly Channel<T>[] _channels;
    private readonly IOutput<T> _head;
    private readonly WatermarkValve _valve;
    private readonly bool[] _blocked;
    private readonly bool[] _ended;
    private int _next;
    private long _aligning = -1;

    public InputSubtask(SubtaskSetup setup, Channel<T>[] channels, IOutput<T> head)
        : base(setup)
    {
        _channels = channels;
        _head = head;
        _valve = new WatermarkValve(channels.Length);
        _blocked = new bool[channels.Length];
        _ended = new bool[channels.Length];
    }

    public override long InputWatermark => _valve.Current;

    public override bool IsSource => false;

    protected override bool StepInput()
    {
        var count = _channels.Length;
        for (var k = 0; k < count; k++)
        {
            var c = _next + k;
            if (c >= count)
            {
                c -= count;
            }

            if (_blocked[c] || _ended[c] || !_channels[c].TryRead(out var element))
            {
                continue;
            }

            _next = c + 1 == count ? 0 : c + 1;
            Handle(c, element);
            return true;
        }

        return false;
    }

    private void Handle(int channel, in StreamElement<T> element)
    {
        switch (element.Kind)
        {
            case ElementKind.Records:
                var batch = element.Batch!;
                Setup.Errors.CurrentOrigin = default;
                var values = batch.Values;
                var timestamps = batch.Timestamps;
                var head = _head;
                for (var i = 0; i < batch.Count; i++)
                {
                    head.Collect(values[i], timestamps[i]);
                }

                _channels[channel].ReturnBatch(batch);
                break;
            case ElementKind.Watermark:
                if (_valve.InputWatermark(channel, element.Value) is { } watermark)
                {
                    _head.EmitWatermark(watermark);
                }

                break;
            case ElementKind.Idle:
            case ElementKind.Active:
                Apply(_valve.InputIdle(channel, element.Kind == ElementKind.Idle));
                break;
            case ElementKind.Barrier:
                OnBarrier(channel, element.Value);
                break;
            case ElementKind.EndOfInput:
                _ended[channel] = true;
                Apply(_valve.InputEnded(channel));
                if (_valve.AllEnded)
                {
                    AbortAlignment();
                    Finish();
                }
                else
                {
                    TryCompleteAlignment();
                }

                break;
        }
    }

    private void OnBarrier(int channel, long checkpointId)
    {
        if (checkpointId < _aligning)
        {
            return; // a barrier of a checkpoint that was given up
        }

        if (checkpointId > _aligning)
        {
            AbortAlignment();
            _aligning = checkpointId;
        }

        _blocked[channel] = true;
        TryCompleteAlignment();
    }

    private void TryCompleteAlignment()
    {
        if (_aligning < 0)
        {
            return;
        }

        for (var i = 0; i < _channels.Length; i++)
        {
            if (!_blocked[i] && !_ended[i])
            {
                return;
            }
        }

        var checkpointId = _aligning;
        AbortAlignment();
        PerformCheckpoint(checkpointId, null, null);
    }

    private void AbortAlignment()
    {
        _aligning = -1;
        Array.Clear(_blocked);
    }

    private void Apply((long? Watermark, bool? Idle) change)
    {
        if (change.Watermark is { } watermark)
        {
            _head.EmitWatermark(watermark);
        }

        if (change.Idle is { } idle)
        {
            _head.EmitIdle(idle);
        }
    }
}
