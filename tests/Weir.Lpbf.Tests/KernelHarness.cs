using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Lpbf.Tests;

/// <summary>Runs the fast kernels on plain arrays and compares them with <see cref="LiteralQueries"/>.</summary>
internal static class KernelHarness
{
    public static Tile Tile(ushort[] pixels, int rows, int cols)
    {
        var tile = new Tile();
        tile.CopyFrom(pixels, rows, cols);
        return tile;
    }

    /// <summary>Outliers in scan order from the fast detector.</summary>
    public static List<(int X, int Y, double D)> FastOutliers(ushort[][] window, int rows, int cols, Outliers? into = null)
    {
        var outliers = into ?? new Outliers();
        new OutlierDetector().Detect(Tile(window[0], rows, cols), Tile(window[1], rows, cols), Tile(window[2], rows, cols), outliers);
        var list = new List<(int, int, double)>();
        foreach (var i in outliers.ScanOrder)
        {
            list.Add((outliers.Row[i], outliers.Col[i], outliers.Deviation[i]));
        }

        return list;
    }

    /// <summary>Clusters of points given in scan order, through the fast clusterer.</summary>
    public static List<Centroid> FastClusters(IReadOnlyList<(int X, int Y)> scanOrdered, int rows, int cols)
    {
        var outliers = new Outliers();
        outliers.Reset(rows, cols);
        foreach (var (x, y) in scanOrdered.OrderBy(p => p.X).ThenBy(p => p.Y))
        {
            outliers.Add(x, y, 7000);
        }

        outliers.Complete();
        var centroids = new List<Centroid>();
        new OutlierClusterer().Cluster(outliers, centroids);
        return centroids;
    }

    public static void AssertSameOutliers(List<(int X, int Y, double D)> expected, List<(int X, int Y, double D)> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: {expected.Count} outliers expected, {actual.Count} found; first differences: {FirstDifference(expected, actual)}");
        for (var i = 0; i < expected.Count; i++)
        {
            // Bit-for-bit: the same float64 expression on the same integer sums.
            Assert.True(expected[i] == actual[i], $"{context}: outlier {i} expected {expected[i]}, found {actual[i]}");
        }
    }

    public static void AssertSameClusters(List<Centroid> expected, List<Centroid> actual, string context)
    {
        Assert.True(expected.Count == actual.Count, $"{context}: {expected.Count} clusters expected, {actual.Count} found: {string.Join(", ", expected)} vs {string.Join(", ", actual)}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"{context}: cluster {i} expected {expected[i]}, found {actual[i]}");
        }
    }

    private static string FirstDifference(List<(int X, int Y, double D)> expected, List<(int X, int Y, double D)> actual)
    {
        var missing = expected.Except(actual).Take(3);
        var extra = actual.Except(expected).Take(3);
        return $"missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]";
    }
}
