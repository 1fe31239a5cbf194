namespace Weir.Streams.Runtime;

/// <summary>Something that wants to run at a processing time (a window end, a user timer, a periodic check).</summary>
internal interface IProcessingTimeCallback
{
    void OnProcessingTime(long time);
}

/// <summary>
/// Processing-time timers of one subtask. The clock's timer only wakes the subtask; callbacks run on the
/// subtask's own thread, between records, so operators never see concurrent calls. With a FakeTimeProvider a
/// test advances the clock and the due callbacks run at the next step.
/// </summary>
internal sealed class ProcessingTimeService : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ISignal _wake;
    private readonly PriorityQueue<(IProcessingTimeCallback Callback, long Sequence), (long Time, long Sequence)> _queue = new();
    private readonly object _timerLock = new();
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;
    private long _sequence;
    private volatile bool _fired;
    private bool _disposed;

    public ProcessingTimeService(TimeProvider clock, ISignal wake)
    {
        _clock = clock;
        _wake = wake;
    }

    public long CurrentTime => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    public int Pending => _queue.Count;

    public void Register(long time, IProcessingTimeCallback callback)
    {
        var sequence = _sequence++;
        _queue.Enqueue((callback, sequence), (time, sequence));
        if (time < _armedFor)
        {
            Arm(time);
        }
    }

    /// <summary>Runs the callbacks that are due; returns whether any ran.</summary>
    public bool RunDue()
    {
        if (_queue.Count == 0)
        {
            return false;
        }

        var now = CurrentTime;
        if (!_fired && _queue.TryPeek(out _, out var first) && first.Time > now)
        {
            return false;
        }

        _fired = false;
        var ran = false;
        while (_queue.TryPeek(out var entry, out var due) && due.Time <= now)
        {
            _queue.Dequeue();
            entry.Callback.OnProcessingTime(due.Time);
            ran = true;
        }

        _armedFor = long.MaxValue;
        if (_queue.TryPeek(out _, out var next))
        {
            Arm(next.Time);
        }

        return ran;
    }

    private void Arm(long time)
    {
        _armedFor = time;
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, time - CurrentTime));
        lock (_timerLock)
        {
            if (_disposed)
            {
                return;
            }

            if (_timer is null)
            {
                _timer = _clock.CreateTimer(static state => ((ProcessingTimeService)state!).Fire(), this, delay, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Fire()
    {
        _fired = true;
        _wake.Set();
    }

    public void Dispose()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
