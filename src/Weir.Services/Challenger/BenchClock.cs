namespace Weir.Services.Challenger;

/// <summary>
/// Unix time in nanoseconds that never goes backwards within a process: the wall clock read once, advanced by
/// the monotonic timestamp. Journaled times stay comparable across restarts; latencies are immune to clock steps.
/// </summary>
internal sealed class BenchClock(TimeProvider time)
{
    private readonly long _epochNs = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    private readonly long _start = time.GetTimestamp();

    public TimeProvider Time => time;

    public long NowNs => _epochNs + (long)((time.GetTimestamp() - _start) * (1e9 / time.TimestampFrequency));

    public static DateTimeOffset ToDateTime(long unixNs) => DateTimeOffset.UnixEpoch.AddTicks(unixNs / 100);
}
