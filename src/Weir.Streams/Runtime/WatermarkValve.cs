namespace Weir.Streams.Runtime;

/// <summary>
/// Combines the watermarks of several inputs (the channels into a subtask, or the splits of a source) into one:
/// the minimum over inputs that are active, ignoring idle ones. When every input is idle the combined stream is
/// idle too, after the highest watermark among them is passed on (as Flink's StatusWatermarkValve does). An input
/// that has ended no longer counts at all, so a finished partition neither holds event time back nor pushes it
/// to the end; only when every input has ended does the combined watermark reach the end.
/// </summary>
internal sealed class WatermarkValve
{
    private long[] _watermarks;
    private bool[] _idle;
    private bool[] _aligned;
    private bool[] _ended;
    private int _endedCount;
    private readonly bool _endWhenAllEnded;

    /// <param name="inputs">Inputs known from the start.</param>
    /// <param name="endWhenAllEnded">
    /// Whether the combined watermark reaches the end once every input has ended (channels into a subtask). A
    /// source's splits say no: splits may still be added, and only the reader's end of input ends event time.
    /// </param>
    public WatermarkValve(int inputs, bool endWhenAllEnded = true)
    {
        _endWhenAllEnded = endWhenAllEnded;
        _watermarks = new long[inputs];
        _idle = new bool[inputs];
        _aligned = new bool[inputs];
        _ended = new bool[inputs];
        Array.Fill(_watermarks, long.MinValue);
        Array.Fill(_aligned, true);
    }

    /// <summary>The last combined watermark passed on.</summary>
    public long Current { get; private set; } = long.MinValue;

    public bool IsIdle { get; private set; }

    public int InputCount => _watermarks.Length;

    /// <summary>Adds an input (a source split discovered later) and returns its index.</summary>
    public int AddInput()
    {
        var index = _watermarks.Length;
        Array.Resize(ref _watermarks, index + 1);
        Array.Resize(ref _idle, index + 1);
        Array.Resize(ref _aligned, index + 1);
        Array.Resize(ref _ended, index + 1);
        _watermarks[index] = long.MinValue;
        _aligned[index] = true; // a new input holds event time back until it catches up, as in Flink
        return index;
    }

    /// <summary>Returns the new combined watermark when it advanced, otherwise null.</summary>
    public long? InputWatermark(int input, long watermark)
    {
        if (_ended[input] || _idle[input] || watermark <= _watermarks[input])
        {
            return null;
        }

        _watermarks[input] = watermark;
        if (!_aligned[input] && watermark >= Current)
        {
            _aligned[input] = true;
        }

        return AdvanceToMinimum();
    }

    /// <summary>Marks an input idle or active. Returns the watermark to pass on first (or null), and whether the combined idleness changed.</summary>
    public (long? Watermark, bool? Idle) InputIdle(int input, bool idle)
    {
        if (_ended[input] || _idle[input] == idle)
        {
            return (null, null);
        }

        _idle[input] = idle;
        if (idle)
        {
            _aligned[input] = false;
            if (AllIdle())
            {
                var max = MaxOverLiveInputs();
                long? watermark = max > Current ? max : null;
                if (watermark is { } w)
                {
                    Current = w;
                }

                IsIdle = true;
                return (watermark, true);
            }

            return (AdvanceToMinimum(), null);
        }

        _aligned[input] = _watermarks[input] >= Current;
        if (IsIdle)
        {
            IsIdle = false;
            return (null, false);
        }

        return (null, null);
    }

    /// <summary>Removes an ended input. Returns the watermark to pass on (the end, once every input has ended).</summary>
    public (long? Watermark, bool? Idle) InputEnded(int input)
    {
        if (_ended[input])
        {
            return (null, null);
        }

        _ended[input] = true;
        _endedCount++;
        if (_endedCount == _ended.Length)
        {
            if (!_endWhenAllEnded)
            {
                return (null, null);
            }

            var wasIdle = IsIdle;
            IsIdle = false;
            long? end = Current < long.MaxValue ? long.MaxValue : null;
            Current = long.MaxValue;
            return (end, wasIdle ? false : null);
        }

        if (!IsIdle && AllIdle())
        {
            IsIdle = true;
            return (null, true);
        }

        return (AdvanceToMinimum(), null);
    }

    public bool AllEnded => _endedCount == _ended.Length && _ended.Length > 0;

    private long? AdvanceToMinimum()
    {
        var min = long.MaxValue;
        var any = false;
        for (var i = 0; i < _watermarks.Length; i++)
        {
            if (!_ended[i] && !_idle[i] && _aligned[i])
            {
                any = true;
                if (_watermarks[i] < min)
                {
                    min = _watermarks[i];
                }
            }
        }

        if (any && min > Current)
        {
            Current = min;
            return min;
        }

        return null;
    }

    private bool AllIdle()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (!_ended[i] && !_idle[i])
            {
                return false;
            }
        }

        return true;
    }

    private long MaxOverLiveInputs()
    {
        var max = long.MinValue;
        for (var i = 0; i < _watermarks.Length; i++)
        {
            if (!_ended[i] && _watermarks[i] > max)
            {
                max = _watermarks[i];
            }
        }

        return max;
    }
}
