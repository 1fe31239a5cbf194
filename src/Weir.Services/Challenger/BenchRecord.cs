using System.Text.Json.Serialization;

namespace Weir.Services.Challenger;

/// <summary>A benchmark run's settings and milestones, as kept in its bench.json (times in Unix nanoseconds, 0 = not yet).</summary>
internal sealed record BenchRecord
{
    [JsonPropertyName("bench_id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("apitoken")]
    public string Token { get; init; } = "";

    [JsonPropertyName("test")]
    public bool Test { get; init; }

    [JsonPropertyName("queries")]
    public int[] Queries { get; init; } = [0];

    [JsonPropertyName("max_batches")]
    public int? MaxBatches { get; init; }

    /// <summary>Batches this run serves: max_batches capped by the data set.</summary>
    [JsonPropertyName("limit")]
    public int Limit { get; init; }

    [JsonPropertyName("data_set")]
    public string DataSet { get; init; } = "";

    [JsonPropertyName("created_ns")]
    public long CreatedNs { get; init; }

    [JsonPropertyName("started_ns")]
    public long StartedNs { get; init; }

    [JsonPropertyName("ended_ns")]
    public long EndedNs { get; init; }
}
