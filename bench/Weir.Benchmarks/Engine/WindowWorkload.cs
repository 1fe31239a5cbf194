namespace Weir.Benchmarks.Engine;

/// <summary>One sensor reading of the benchmark: key, value, event time (ms).</summary>
public readonly record struct Event(int Key, double Value, long Timestamp);

/// <summary>Count, min, max and mean of one key in one window.</summary>
public readonly record struct WindowStats(int Key, long WindowStart, long Count, double Min, double Max, double Mean);

/// <summary>
/// The query every engine runs: tumbling one-second event-time windows, per key (10 000 keys), count, min, max
/// and mean. Events arrive in time order, 100 per millisecond, keys spread evenly, so each window holds
/// 100 000 events and about 10 per key.
/// </summary>
public static class WindowWorkload
{
    public const int Keys = 10_000;
    public const long WindowMs = 1_000;
    public const int EventsPerMs = 100;

    public static Event[] Create(int count)
    {
        var random = new Random(42);
        var events = new Event[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = new Event(random.Next(Keys), random.NextDouble() * 100, i / EventsPerMs);
        }

        return events;
    }

    /// <summary>The number of (key, window) results the query must produce, for checking each engine.</summary>
    public static int ExpectedResults(Event[] events)
    {
        var seen = new HashSet<(int, long)>();
        foreach (var e in events)
        {
            seen.Add((e.Key, e.Timestamp / WindowMs));
        }

        return seen.Count;
    }

    /// <summary>The accumulator shared by every implementation.</summary>
    public struct Accumulator
    {
        public long Count;
        public double Min;
        public double Max;
        public double Sum;

        public void Add(double value)
        {
            if (Count == 0)
            {
                Min = value;
                Max = value;
            }
            else
            {
                Min = Math.Min(Min, value);
                Max = Math.Max(Max, value);
            }

            Count++;
            Sum += value;
        }

        public readonly WindowStats Result(int key, long windowStart) => new(key, windowStart, Count, Min, Max, Sum / Count);
    }
}
