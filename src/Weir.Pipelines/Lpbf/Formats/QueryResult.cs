namespace Weir.Pipelines.Lpbf.Formats;

/// <summary>One Q3 cluster: x = mean row, y = mean column of its members (float64, as numpy's mean gives), count = members.</summary>
internal readonly record struct Centroid(double X, double Y, int Count);

/// <summary>
/// What is posted to <c>/api/result/0/{bench}/{batch}</c> for one batch: Q1's saturated count and Q3's clusters in
/// creation order (empty for the first two layers of a tile).
/// </summary>
internal sealed record QueryResult(long BatchId, string PrintId, int TileId, int Saturated, IReadOnlyList<Centroid> Centroids);
