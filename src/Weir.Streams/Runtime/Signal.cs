namespace Weir.Streams.Runtime;

/// <summary>Wakes a subtask: set by whoever gives it work (a channel, a timer, the checkpoint coordinator).</summary>
internal interface ISignal
{
    void Set();
}

/// <summary>The signal a subtask thread sleeps on when it has nothing to do.</summary>
internal sealed class ThreadSignal : ISignal
{
    private readonly ManualResetEventSlim _event = new(false, spinCount: 50);

    public void Set() => _event.Set();

    /// <summary>Sleeps until set (or <paramref name="timeout"/>), then clears the signal for the next round.</summary>
    public void WaitAndReset(TimeSpan timeout)
    {
        _event.Wait(timeout);
        _event.Reset();
    }
}

/// <summary>The stepped executor polls every subtask itself, so nothing needs waking.</summary>
internal sealed class NoSignal : ISignal
{
    public static readonly NoSignal Instance = new();

    public void Set()
    {
    }
}
