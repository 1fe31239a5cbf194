namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>What the RTLS simulator does; every field has a flag on <c>weir generate rtls</c>.</summary>
internal sealed record RtlsSimulatorOptions
{
    public int Tags { get; init; } = 6;

    /// <summary>Each tag is ranged by every anchor in range once per interval.</summary>
    public long IntervalMs { get; init; } = 1_000;

    /// <summary>Walking speed in metres per second.</summary>
    public double Speed { get; init; } = 0.5;

    /// <summary>Standard deviation of the Gaussian noise added to each distance, metres.</summary>
    public double NoiseStdDev { get; init; } = 0.05;

    public double DropProbability { get; init; }

    public double DuplicateProbability { get; init; }

    /// <summary>Each packet is delivered up to this much after it was measured, so packets arrive out of order within this bound.</summary>
    public long ReorderMs { get; init; }

    public long HeartbeatMs { get; init; } = 2_000;

    public IReadOnlyList<AnchorOutage> Outages { get; init; } = [];

    public double DetachedProbability { get; init; }

    public double BatteryLowProbability { get; init; }

    public int Seed { get; init; } = 1;

    public void Validate()
    {
        static void Probability(double p, string name)
        {
            if (p is < 0 or > 1 || double.IsNaN(p))
            {
                throw new ArgumentException($"{name} must be between 0 and 1");
            }
        }

        Probability(DropProbability, "the drop probability");
        Probability(DuplicateProbability, "the duplicate probability");
        Probability(DetachedProbability, "the detached probability");
        Probability(BatteryLowProbability, "the battery-low probability");
        if (Tags < 1 || IntervalMs < 1 || HeartbeatMs < 1 || ReorderMs < 0 || Speed < 0 || NoiseStdDev < 0)
        {
            throw new ArgumentException("tags, interval and heartbeat must be positive; reorder bound, speed and noise must not be negative");
        }
    }
}
