namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// The values of one equipment's window, per sensor, sensors in order of first appearance (as the original's
/// grouping dict kept them). Only doubles are kept, not messages: a window holds n·sensors doubles.
/// </summary>
internal sealed class FingerprintAccumulator
{
    private readonly List<string> _sensors = [];
    private readonly List<List<double>> _values = [];

    public int SensorCount => _sensors.Count;

    public long ValueCount { get; private set; }

    public bool IsEmpty => ValueCount == 0;

    /// <summary>The i-th sensor's id (first-appearance order).</summary>
    public string SensorId(int index) => _sensors[index];

    /// <summary>The i-th sensor's values so far.</summary>
    public ReadOnlySpan<double> Values(int index) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values[index]);

    public void Add(SensorMessage message)
    {
        foreach (var (sensor, value) in message.Values)
        {
            Add(sensor, value);
        }
    }

    public void Add(string sensor, double value)
    {
        var index = IndexOf(sensor);
        if (index < 0)
        {
            _sensors.Add(sensor);
            _values.Add(new List<double>(64));
            index = _sensors.Count - 1;
        }

        _values[index].Add(value);
        ValueCount++;
    }

    /// <summary>Folds another accumulator in (session-style merges and parallel pre-aggregation).</summary>
    public void Merge(FingerprintAccumulator other)
    {
        for (var i = 0; i < other._sensors.Count; i++)
        {
            foreach (var value in other._values[i])
            {
                Add(other._sensors[i], value);
            }
        }
    }

    /// <summary>The window's fingerprint: statistics per sensor, in first-appearance order.</summary>
    public FingerprintRecord ToFingerprint(string equipId, string type, long startMs, long endMs)
    {
        var data = new KeyValuePair<string, SensorStatistics>[_sensors.Count];
        var longest = 0;
        foreach (var values in _values)
        {
            longest = Math.Max(longest, values.Count);
        }

        var scratch = longest <= 512 ? stackalloc double[longest] : new double[longest];
        for (var i = 0; i < _sensors.Count; i++)
        {
            data[i] = new(_sensors[i], FingerprintStatistics.Compute(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values[i]), scratch));
        }

        return new FingerprintRecord(FingerprintUuid.For(equipId, startMs, endMs), equipId, type, startMs, endMs, data);
    }

    private int IndexOf(string sensor)
    {
        // A handful of sensors per equipment: a linear scan over interned strings beats hashing.
        for (var i = 0; i < _sensors.Count; i++)
        {
            if (ReferenceEquals(_sensors[i], sensor) || string.Equals(_sensors[i], sensor, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
