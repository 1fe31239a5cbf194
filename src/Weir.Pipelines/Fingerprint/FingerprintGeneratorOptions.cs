namespace Weir.Pipelines.Fingerprint;

/// <summary>What <c>weir generate fingerprint</c> produces; defaults are the original generator's.</summary>
internal sealed record FingerprintGeneratorOptions
{
    public IReadOnlyList<string> EquipmentIds { get; init; } = ["110", "111", "112", "113", "114"];

    public IReadOnlyList<string> SensorIds { get; init; } = ["0001", "0002", "0003", "0004", "0005"];

    /// <summary>One message per equipment every interval.</summary>
    public long IntervalMs { get; init; } = 1_000;

    /// <summary>Each value is the string "null" with this probability.</summary>
    public double NullProbability { get; init; } = 0.15;

    /// <summary>Values as numeric strings ("45.234", as the original README shows) instead of JSON numbers.</summary>
    public bool StringValues { get; init; }

    public int Seed { get; init; } = 1;

    public void Validate()
    {
        if (EquipmentIds.Count == 0 || SensorIds.Count == 0)
        {
            throw new ArgumentException("at least one equipment id and one sensor id are needed");
        }

        if (IntervalMs < 1)
        {
            throw new ArgumentException("the interval must be at least 1 ms");
        }

        if (NullProbability is < 0 or > 1 || double.IsNaN(NullProbability))
        {
            throw new ArgumentException("the null probability must be between 0 and 1");
        }
    }
}
