using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Imaging;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Q1, Q2 and Q3 for a stream of batches, with one <see cref="TileWindow"/> per (print_id, tile_id). One instance
/// per thread: it owns reusable buffers and is not thread-safe. Batches of one key must arrive in order.
/// </summary>
internal sealed class TileProcessor(TilePool? pool = null)
{
    /// <summary>How many ranked outliers Q2 reports per window.</summary>
    public const int RankSize = 5;

    private readonly TilePool _pool = pool ?? TilePool.Shared;
    private readonly Dictionary<(string PrintId, int TileId), TileWindow> _windows = [];
    private readonly OutlierDetector _detector = new();
    private readonly OutlierClusterer _clusterer = new();
    private readonly Outliers _outliers = new();

    /// <summary>The outliers of the last full window processed (valid until the next call).</summary>
    public Outliers LastOutliers => _outliers;

    public int Keys => _windows.Count;

    /// <summary>Decodes the batch's tile and computes its outcome.</summary>
    /// <exception cref="InvalidDataException">The TIFF cannot be decoded or does not match its window.</exception>
    public TileOutcome Process(in Batch batch)
    {
        var tile = _pool.Rent();
        try
        {
            TiffTileDecoder.Decode(batch.Tiff, tile);
        }
        catch
        {
            _pool.Return(tile);
            throw;
        }

        return Process(batch.BatchId, batch.PrintId, batch.TileId, batch.Layer, tile);
    }

    /// <summary>Computes the outcome of a decoded tile; the processor owns <paramref name="tile"/> from now on.</summary>
    public TileOutcome Process(long batchId, string printId, int tileId, int layer, Tile tile)
    {
        var key = (printId, tileId);
        if (!_windows.TryGetValue(key, out var window))
        {
            window = new TileWindow();
            _windows.Add(key, window);
        }

        return Process(batchId, printId, tileId, layer, tile, window);
    }

    /// <summary>
    /// Computes the outcome of a decoded tile in a window kept elsewhere (the engine's keyed state); the window
    /// owns <paramref name="tile"/> from now on.
    /// </summary>
    public TileOutcome Process(long batchId, string printId, int tileId, int layer, Tile tile, TileWindow window)
    {
        if (window.Count > 0 && !window.Newest.SameSize(tile))
        {
            _pool.Return(tile);
            throw new InvalidDataException(
                $"tile {tileId} of print {printId} is {tile.Rows}x{tile.Cols} in batch {batchId} but {window.Newest.Rows}x{window.Newest.Cols} in the layers before");
        }

        var saturated = SaturationCounter.Count(tile);
        window.Push(tile, _pool);
        if (!window.IsFull)
        {
            return new TileOutcome(new QueryResult(batchId, printId, tileId, saturated, []), layer, false, 0, []);
        }

        _detector.Detect(window.Oldest, window.Previous, window.Newest, _outliers);
        var centroids = new List<Centroid>();
        _clusterer.Cluster(_outliers, centroids);
        return new TileOutcome(new QueryResult(batchId, printId, tileId, saturated, centroids), layer, true, _outliers.Count, Rank(_outliers));
    }

    /// <summary>Forgets every window (tiles go back to the pool).</summary>
    public void Clear()
    {
        foreach (var window in _windows.Values)
        {
            window.Clear(_pool);
        }

        _windows.Clear();
    }

    /// <summary>The largest deviations first; equal deviations keep scan order (a stable sort, as the reference's).</summary>
    internal static RankedOutlier[] Rank(Outliers outliers)
    {
        Span<int> top = stackalloc int[RankSize];
        var size = 0;
        var deviation = outliers.Deviation;
        foreach (var i in outliers.ScanOrder)
        {
            var d = deviation[i];
            if (size == RankSize && d <= deviation[top[size - 1]])
            {
                continue;
            }

            var at = Math.Min(size, RankSize - 1);
            while (at > 0 && deviation[top[at - 1]] < d)
            {
                top[at] = top[at - 1];
                at--;
            }

            top[at] = i;
            size = Math.Min(size + 1, RankSize);
        }

        var ranked = new RankedOutlier[size];
        for (var k = 0; k < size; k++)
        {
            ranked[k] = new RankedOutlier(outliers.Row[top[k]], outliers.Col[top[k]], deviation[top[k]]);
        }

        return ranked;
    }
}
