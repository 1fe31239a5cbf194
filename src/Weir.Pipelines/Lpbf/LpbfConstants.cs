namespace Weir.Pipelines.Lpbf;

/// <summary>
/// The constants of the DEBS 2025 queries as the organisers' reference code uses them (the call text says 5000
/// for the outlier threshold and "top 10" clusters; the reference code, which the challenge scored, uses 6000 and
/// every cluster: docs/pipelines/lpbf.md "Decisions").
/// </summary>
internal static class LpbfConstants
{
    /// <summary>Pixels at or below this are empty powder: never the centre of a Q2 evaluation.</summary>
    public const int Empty = 5000;

    /// <summary>Pixels strictly above this are saturated (Q1); at or above it they are not evaluated by Q2.</summary>
    public const int Saturation = 65000;

    /// <summary>Close neighbours are within this Manhattan distance (layers count as distance), outer ones within twice it.</summary>
    public const int DistanceFactor = 2;

    /// <summary>A pixel is an outlier when its deviation is strictly above this.</summary>
    public const int OutlierThreshold = 6000;

    /// <summary>Positions in the close neighbourhood (13 + 5 + 1 over the three layers), the pixel itself included.</summary>
    public const int CloseCount = 19;

    /// <summary>Positions in the outer neighbourhood (28 + 20 + 12).</summary>
    public const int OuterCount = 60;

    /// <summary>Layers in a window (the newest and the two before it).</summary>
    public const int WindowLayers = 3;

    /// <summary>DBSCAN radius, inclusive, Euclidean, in pixels.</summary>
    public const int DbscanEps = 20;

    /// <summary>DBSCAN core-point threshold, the point itself included (scikit-learn's min_samples).</summary>
    public const int DbscanMinSamples = 5;

    /// <summary>The print id of the challenge's data set, used by the generator by default.</summary>
    public const string DefaultPrintId = "SI266220200309225433";

    /// <summary>Tile edge length of the challenge's data set.</summary>
    public const int TileSize = 500;

    /// <summary>Tiles per layer in the challenge's data set (a 4 × 4 grid).</summary>
    public const int TilesPerLayer = 16;

    /// <summary>Layers in the challenge's data set (3600 batches).</summary>
    public const int Layers = 225;
}
