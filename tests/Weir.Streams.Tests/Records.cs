namespace Weir.Streams.Tests;

/// <summary>A sensor reading: the record most tests push through jobs.</summary>
public sealed record Reading(string Sensor, double Value, long Time);

/// <summary>A per-sensor window result.</summary>
public sealed record SensorWindow(string Sensor, long Start, long End, int Count, double Sum);

/// <summary>Counts and sums readings: a struct accumulator updated in place.</summary>
public sealed class CountSum : IAggregateFunction<Reading, (int Count, double Sum), (int Count, double Sum)>
{
    public (int Count, double Sum) CreateAccumulator() => (0, 0);

    public void Add(ref (int Count, double Sum) accumulator, Reading value)
    {
        accumulator.Count++;
        accumulator.Sum += value.Value;
    }

    public (int Count, double Sum) GetResult((int Count, double Sum) accumulator) => accumulator;
}
