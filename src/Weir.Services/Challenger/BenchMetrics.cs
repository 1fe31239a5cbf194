namespace Weir.Services.Challenger;

/// <summary>
/// The figures <c>/api/end</c> reports for query 0. <see cref="Count"/> = batches served, <see cref="Missing"/> =
/// served batches without a result (the original printed count 3600, missing 32 for a client that never posted
/// the first two layers), <see cref="Throughput"/> = batches served per second between <c>/start</c> and
/// <c>/end</c>, latencies = result arrival − batch served, over the batches with a result (percentiles by nearest
/// rank). <see cref="Platform"/> holds the figures the online platform stores instead (debs2025.md §1.7).
/// </summary>
internal sealed record BenchMetrics(int Count, int Missing, double Throughput, long LatencyMeanNs, long LatencyMinNs, long LatencyMaxNs, long LatencyP99Ns)
{
    public PlatformMetrics Platform { get; init; } = PlatformMetrics.Empty;

    public static BenchMetrics Compute(ReadOnlySpan<long> servedNs, ReadOnlySpan<long> resultNs, int served, long startNs, long endNs)
    {
        var latencies = new List<long>(served);
        for (var i = 0; i < served; i++)
        {
            if (resultNs[i] != 0)
            {
                latencies.Add(Math.Max(0, resultNs[i] - servedNs[i]));
            }
        }

        var seconds = (endNs - startNs) / 1e9;
        var throughput = seconds > 0 ? served / seconds : 0;
        if (latencies.Count == 0)
        {
            return new BenchMetrics(served, served, throughput, 0, 0, 0, 0) { Platform = PlatformMetrics.Empty with { RuntimeNs = endNs - startNs } };
        }

        latencies.Sort();
        double sum = 0;
        foreach (var latency in latencies)
        {
            sum += latency;
        }

        return new BenchMetrics(
            served,
            served - latencies.Count,
            throughput,
            (long)(sum / latencies.Count),
            latencies[0],
            latencies[^1],
            Percentile(latencies, 0.99))
        {
            Platform = new PlatformMetrics(
                latencies.Count,
                latencies[0],
                Percentile(latencies, 0.25),
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.75),
                Percentile(latencies, 0.90),
                latencies[^1],
                endNs - startNs),
        };
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="fraction"/> of the values at or below it.</summary>
    private static long Percentile(List<long> sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>
/// What the online platform computes at <c>/end</c> for query 0 (it answers <c>/end</c> with an empty body and
/// shows these on its web page): latency percentiles in nanoseconds over the results received, their count,
/// and throughput = count / whole seconds between <c>/start</c> and <c>/end</c>. The platform's percentiles are
/// MongoDB's approximate ones; these are exact (nearest rank).
/// </summary>
internal sealed record PlatformMetrics(int Count, long MinNs, long P25Ns, long P50Ns, long P75Ns, long P90Ns, long MaxNs, long RuntimeNs)
{
    public static readonly PlatformMetrics Empty = new(0, 0, 0, 0, 0, 0, 0, 0);

    public long RuntimeSeconds => RuntimeNs / 1_000_000_000;

    /// <summary>Null while the run is shorter than a second (the platform would divide by zero).</summary>
    public double? Throughput => RuntimeSeconds > 0 ? (double)Count / RuntimeSeconds : null;
}
