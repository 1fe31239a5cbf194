namespace Weir.Services.Challenger;

/// <summary>
/// The figures <c>/api/end</c> reports for query 0. <see cref="Count"/> = batches served, <see cref="Missing"/> =
/// served batches without a result (the original printed count 3600, missing 32 for a client that never posted
/// the first two layers), <see cref="Throughput"/> = batches served per second between <c>/start</c> and
/// <c>/end</c>, latencies = result arrival − batch served, over the batches with a result (p99 by nearest rank).
/// </summary>
internal sealed record BenchMetrics(int Count, int Missing, double Throughput, long LatencyMeanNs, long LatencyMinNs, long LatencyMaxNs, long LatencyP99Ns)
{
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
            return new BenchMetrics(served, served, throughput, 0, 0, 0, 0);
        }

        latencies.Sort();
        double sum = 0;
        foreach (var latency in latencies)
        {
            sum += latency;
        }

        var rank = (int)Math.Ceiling(0.99 * latencies.Count) - 1;
        return new BenchMetrics(
            served,
            served - latencies.Count,
            throughput,
            (long)(sum / latencies.Count),
            latencies[0],
            latencies[^1],
            latencies[Math.Clamp(rank, 0, latencies.Count - 1)]);
    }
}
