namespace Weir.Pipelines.Shared;

/// <summary>
/// When a generator's ticks happen. Live: tick k at start + k·interval of the wall clock, stamped with the clock's
/// time, until the duration or the tick count is reached (or for ever). Backlog: ticks with synthetic timestamps
/// from <see cref="StartMs"/> for <see cref="DurationMs"/>, as fast as the broker takes them.
/// </summary>
internal sealed record GeneratorSchedule(bool Backlog, long IntervalMs, long? StartMs = null, long? DurationMs = null, long? Ticks = null)
{
    public static GeneratorSchedule Live(long intervalMs, long? durationMs = null, long? ticks = null) => new(false, intervalMs, null, durationMs, ticks);

    /// <summary>A backlog of <paramref name="durationMs"/> ending now (or starting at <paramref name="startMs"/>).</summary>
    public static GeneratorSchedule Of(long intervalMs, long durationMs, long? startMs = null) => new(true, intervalMs, startMs, durationMs);

    /// <summary>Calls <paramref name="tick"/> with each tick's timestamp; returns how many ticks ran.</summary>
    public async Task<long> RunAsync(TimeProvider clock, Func<long, Task> tick, CancellationToken cancellationToken)
    {
        if (IntervalMs < 1)
        {
            throw new ArgumentException("the interval must be at least 1 ms");
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        long count = 0;
        if (Backlog)
        {
            var duration = DurationMs ?? throw new ArgumentException("a backlog needs a duration");
            var start = StartMs ?? (now - duration);
            for (var t = start; t < start + duration && (Ticks is null || count < Ticks); t += IntervalMs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await tick(t).ConfigureAwait(false);
                count++;
            }

            return count;
        }

        var first = now;
        while (Ticks is null || count < Ticks)
        {
            var due = first + (count * IntervalMs);
            if (DurationMs is { } limit && due - first >= limit)
            {
                break;
            }

            var wait = due - clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), clock, cancellationToken).ConfigureAwait(false);
            }

            await tick(clock.GetUtcNow().ToUnixTimeMilliseconds()).ConfigureAwait(false);
            count++;
        }

        return count;
    }
}
