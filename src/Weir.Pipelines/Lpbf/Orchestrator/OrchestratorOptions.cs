using Weir.Pipelines.Lpbf.Job;

namespace Weir.Pipelines.Lpbf.Orchestrator;

/// <summary>What <c>weir run lpbf</c> does against a challenger.</summary>
internal sealed record OrchestratorOptions
{
    public required Uri Challenger { get; init; }

    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    public LpbfTopics Topics { get; init; } = new();

    /// <summary>Batches to run (sent as max_batches and enforced here too); null = the whole stream.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Batches fetched but not yet answered, at most: latency counts from the fetch, so keep it small. Against four,
    /// three cut the p99 by a quarter on two cores, at the same throughput with one queries subtask and 7% less with
    /// two (docs/benchmarks.md, "LPBF end to end").
    /// </summary>
    public int Prefetch { get; init; } = 3;

    public string ApiToken { get; init; } = "polimi-deib";

    public string Name { get; init; } = "weir-lpbf";

    public bool Test { get; init; } = true;

    /// <summary>Partitions for raw-batch when the orchestrator creates it (one per job subtask scales decoding).</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>With no result for this long, the run is given up (is the job running?).</summary>
    public TimeSpan Stall { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>How a run went, as the orchestrator saw it, plus the challenger's own metrics text.</summary>
internal sealed record OrchestratorReport(string BenchId, int Fetched, int Posted, TimeSpan Elapsed, string EndResponse)
{
    public double BatchesPerSecond => Elapsed.TotalSeconds > 0 ? Posted / Elapsed.TotalSeconds : 0;
}
