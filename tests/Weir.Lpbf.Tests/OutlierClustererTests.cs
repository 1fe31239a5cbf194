using Weir.Pipelines.Lpbf.Formats;

namespace Weir.Lpbf.Tests;

public sealed class OutlierClustererTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 3)]
    [InlineData(3, 40)]
    [InlineData(4, 300)]
    [InlineData(5, 1500)]
    [InlineData(6, 5000)]
    public void Random_point_sets_match_scikit_learn_semantics(int seed, int count)
    {
        var random = new Random(seed);
        for (var round = 0; round < 5; round++)
        {
            var points = RandomPoints(random, count, rows: 500, cols: 500, blobs: 1 + round * 3);
            KernelHarness.AssertSameClusters(LiteralQueries.Clusters(points), KernelHarness.FastClusters(points, 500, 500), $"seed {seed} round {round}");
        }
    }

    [Fact]
    public void Points_exactly_20_apart_are_neighbours()
    {
        // Two groups of four whose nearest points are exactly 20 apart (12² + 16² = 400): with the other
        // group's point each side has five neighbours, so both groups form one cluster.
        List<(int X, int Y)> left = [(100, 100), (100, 101), (101, 100), (99, 100)];
        List<(int X, int Y)> right = [(112, 116), (112, 117), (113, 116), (111, 116)];
        var points = ScanOrder([.. left, .. right]);
        var clusters = KernelHarness.FastClusters(points, 500, 500);
        KernelHarness.AssertSameClusters(LiteralQueries.Clusters(points), clusters, "touching at 20");
        Assert.Equal(8, Assert.Single(clusters).Count);

        // One step further apart: two groups of four, nobody is core, all noise.
        List<(int X, int Y)> farther = [(112, 118), (112, 119), (113, 118), (111, 118)];
        var apart = ScanOrder([.. left, .. farther]);
        Assert.Empty(KernelHarness.FastClusters(apart, 500, 500));
        Assert.Empty(LiteralQueries.Clusters(apart));
    }

    [Fact]
    public void A_border_point_reachable_from_two_clusters_joins_the_one_created_first()
    {
        // Two rows of nine points, 40 columns apart, and a lone point exactly 20 from the end of each: it sees
        // only those two ends (not core), so it is a border point of both clusters; the cluster met first in
        // scan order (smaller columns) gets it.
        var first = Enumerable.Range(0, 9).Select(c => (50, c)).ToList();
        var second = Enumerable.Range(48, 9).Select(c => (50, c)).ToList();
        var points = ScanOrder([.. first, .. second, (50, 28)]);
        var clusters = KernelHarness.FastClusters(points, 500, 500);
        KernelHarness.AssertSameClusters(LiteralQueries.Clusters(points), clusters, "shared border point");
        Assert.Equal(2, clusters.Count);
        Assert.Equal(10, clusters[0].Count);
        Assert.Equal(9, clusters[1].Count);
    }

    [Fact]
    public void Noise_is_dropped_and_a_core_point_needs_five_including_itself()
    {
        // Four points in a tight group (each sees four including itself): not core, all noise.
        List<(int X, int Y)> four = [(10, 10), (10, 11), (11, 10), (11, 11)];
        Assert.Empty(KernelHarness.FastClusters(ScanOrder(four), 500, 500));
        var five = ScanOrder([.. four, (12, 12)]);
        var cluster = Assert.Single(KernelHarness.FastClusters(five, 500, 500));
        Assert.Equal(new Centroid(10.8, 10.8, 5), cluster);
    }

    [Fact]
    public void Clusters_are_reported_in_creation_order_not_by_size()
    {
        var small = Square(400, 5);
        var large = Square(10, 300).Concat(Square(14, 300)).Distinct().ToList();
        var points = ScanOrder([.. small, .. large]);
        var clusters = KernelHarness.FastClusters(points, 500, 500);
        KernelHarness.AssertSameClusters(LiteralQueries.Clusters(points), clusters, "creation order");
        Assert.True(clusters[0].Count < clusters[1].Count, "the first cluster in scan order is the smaller one");
    }

    [Fact]
    public void Points_at_the_tile_edges_are_clustered_like_any_other()
    {
        List<(int X, int Y)> corner = [(0, 0), (0, 1), (1, 0), (499, 499), (498, 499), (499, 498), (0, 2), (2, 0), (497, 499), (499, 497)];
        var points = ScanOrder(corner);
        var clusters = KernelHarness.FastClusters(points, 500, 500);
        KernelHarness.AssertSameClusters(LiteralQueries.Clusters(points), clusters, "edges");
        Assert.Equal(2, clusters.Count);
    }

    /// <summary>Sorts points into scan order (columns, then rows) as Q2 delivers them.</summary>
    private static List<(int X, int Y)> ScanOrder(IEnumerable<(int X, int Y)> points) => [.. points.Distinct().OrderBy(p => p.Y).ThenBy(p => p.X)];

    private static List<(int X, int Y)> Square(int x, int y) =>
        [(x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1), (x + 2, y), (x, y + 2), (x + 2, y + 2), (x + 1, y + 2), (x + 2, y + 1)];

    private static List<(int X, int Y)> RandomPoints(Random random, int count, int rows, int cols, int blobs)
    {
        var centres = Enumerable.Range(0, blobs).Select(_ => (X: random.Next(rows), Y: random.Next(cols), Spread: random.Next(2, 60))).ToArray();
        var set = new HashSet<(int, int)>();
        for (var attempt = 0; attempt < count * 4 && set.Count < count; attempt++)
        {
            var (x, y, spread) = centres[random.Next(centres.Length)];
            var px = random.Next(8) == 0 ? random.Next(rows) : Math.Clamp(x + random.Next(-spread, spread + 1), 0, rows - 1);
            var py = random.Next(8) == 0 ? random.Next(cols) : Math.Clamp(y + random.Next(-spread, spread + 1), 0, cols - 1);
            set.Add((px, py));
        }

        return ScanOrder(set);
    }
}
