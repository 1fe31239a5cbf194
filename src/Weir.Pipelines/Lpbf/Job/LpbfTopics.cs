namespace Weir.Pipelines.Lpbf.Job;

/// <summary>The topics of the original pipeline, by their original names (configurable in section "Lpbf").</summary>
internal sealed record LpbfTopics
{
    /// <summary>Batches as the challenger serves them (msgpack), key = "print_id/tile_id", header bench_id.</summary>
    public string RawBatch { get; init; } = "raw-batch";

    /// <summary>One msgpack envelope per batch: {q, bench_id, batch_id, result}.</summary>
    public string Results { get; init; } = "results";

    /// <summary>Q1 per batch, JSON {seq_id, print_id, tile_id, saturated}.</summary>
    public string SaturatedPixels { get; init; } = "saturated-pixels";

    /// <summary>Q2's top five outliers per full window, JSON {seq_id, print_id, tile_id, top5: [{point, deviation}]}.</summary>
    public string SaturatedRank { get; init; } = "saturated-rank";

    /// <summary>Records the job cannot process, with the reason in headers.</summary>
    public string DeadLetters { get; init; } = "lpbf-dlq";

    /// <summary>Header carrying the benchmark id from the orchestrator through the job to the results.</summary>
    public const string BenchIdHeader = "bench_id";
}
