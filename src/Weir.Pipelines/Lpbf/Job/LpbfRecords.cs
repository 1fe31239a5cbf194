using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>
/// A batch read from <c>raw-batch</c>: the benchmark it belongs to and the decoded map (TIFF not yet decoded).
/// It keeps the raw-batch record it came from, whose value its TIFF already points into, so that a TIFF that
/// fails to decode after the key-by is dead-lettered as the original record.
/// </summary>
internal sealed record LpbfInput(string BenchId, Batch Batch) : Streams.IHasRecordOrigin
{
    public Streams.RecordOrigin Origin { get; init; }

    /// <summary>The window key: one window per (print_id, tile_id).</summary>
    public string Key => LpbfKeys.Of(Batch.PrintId, Batch.TileId);
}

/// <summary>What the job emits per batch on <c>results</c>.</summary>
internal sealed record LpbfResult(string BenchId, QueryResult Result);

/// <summary>Q2's ranking of one full window, for <c>saturated-rank</c>.</summary>
internal sealed record LpbfRanking(long BatchId, string PrintId, int TileId, IReadOnlyList<RankedOutlier> Top5);

internal static class LpbfKeys
{
    public static string Of(string printId, int tileId) => string.Concat(printId, "/", tileId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
