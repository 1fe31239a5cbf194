using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Lpbf.Tests;

public sealed class OutlierDetectorTests
{
    [Theory]
    [InlineData(1, 23, 37)]
    [InlineData(2, 50, 50)]
    [InlineData(3, 9, 70)]
    [InlineData(4, 64, 17)]
    [InlineData(5, 1, 40)]
    [InlineData(6, 33, 1)]
    public void Random_windows_match_the_literal_definition(int seed, int rows, int cols)
    {
        var random = new Random(seed);
        for (var round = 0; round < 20; round++)
        {
            // Mixed regimes: powder, part levels, bright spots and saturated pixels, so that outliers occur.
            var window = Enumerable.Range(0, 3).Select(_ => RandomTile(random, rows, cols)).ToArray();
            var expected = LiteralQueries.Outliers(window, rows, cols);
            var actual = KernelHarness.FastOutliers(window, rows, cols);
            KernelHarness.AssertSameOutliers(expected, actual, $"seed {seed} round {round} ({rows}x{cols})");
        }
    }

    [Fact]
    public void Generated_tiles_match_the_literal_definition()
    {
        var generator = new LayerGenerator(new GeneratorOptions { Layers = 6 });
        var total = 0;
        foreach (var tile in new[] { 3, 9, 0 })
        {
            var window = new ushort[3][];
            for (var d = 0; d < 3; d++)
            {
                window[d] = new ushort[500 * 500];
                generator.Render(3 + d, tile, window[d]);
            }

            var expected = LiteralQueries.Outliers(window, 500, 500);
            KernelHarness.AssertSameOutliers(expected, KernelHarness.FastOutliers(window, 500, 500), $"generated tile {tile}");
            total += expected.Count;
        }

        Assert.True(total > 0, "the generated tiles were meant to contain outliers");
    }

    [Fact]
    public void Uniform_bright_tile_has_outliers_only_along_the_borders_where_zero_padding_counts()
    {
        const int size = 40;
        var window = Enumerable.Range(0, 3).Select(_ => Enumerable.Repeat((ushort)60000, size * size).ToArray()).ToArray();
        var actual = KernelHarness.FastOutliers(window, size, size);
        KernelHarness.AssertSameOutliers(LiteralQueries.Outliers(window, size, size), actual, "uniform tile");
        Assert.NotEmpty(actual);
        // Interior pixels see the same value everywhere (D = 0); only the first rows and columns see the padding.
        Assert.All(actual, o => Assert.True(o.X <= 2 || o.Y <= 2 || o.X >= size - 3 || o.Y >= size - 3, $"{o} is inside the tile"));
        // A corner sees 10 of its 19 close positions (6 + 3 + 1 by layer) and 21 of its 60 outer ones (9 + 7 + 5).
        Assert.Contains(actual, o => o.X == 0 && o.Y == 0 && o.D == Math.Abs(10 * 60000 / 19.0 - 21 * 60000 / 60.0));
    }

    [Theory]
    [InlineData(5000, false)]
    [InlineData(5001, true)]
    [InlineData(64999, true)]
    [InlineData(65000, false)]
    [InlineData(65001, false)]
    public void Only_centres_strictly_between_empty_and_saturated_are_evaluated(int centre, bool evaluated)
    {
        // The centre sits on a ring of bright pixels two layers deep: a strong deviation whatever its own value.
        const int size = 11;
        var window = Enumerable.Range(0, 3).Select(_ => new ushort[size * size]).ToArray();
        for (var d = 0; d < 3; d++)
        {
            for (var r = 0; r < size; r++)
            {
                for (var c = 0; c < size; c++)
                {
                    var distance = Math.Abs(r - 5) + Math.Abs(c - 5);
                    window[d][r * size + c] = (ushort)(distance is 1 or 2 ? 65535 : 0);
                }
            }
        }

        window[2][5 * size + 5] = (ushort)centre;
        var actual = KernelHarness.FastOutliers(window, size, size);
        KernelHarness.AssertSameOutliers(LiteralQueries.Outliers(window, size, size), actual, $"centre {centre}");
        Assert.Equal(evaluated, actual.Any(o => o.X == 5 && o.Y == 5));
    }

    [Fact]
    public void Neighbours_are_used_raw_even_when_empty_or_saturated()
    {
        // Centre 10000 with saturated close neighbours: their raw 65535 values count in the mean.
        const int size = 9;
        var window = Enumerable.Range(0, 3).Select(_ => new ushort[size * size]).ToArray();
        window[2][4 * size + 4] = 10000;
        window[2][3 * size + 4] = 65535;
        window[2][5 * size + 4] = 65535;
        window[1][4 * size + 4] = 65535;
        var actual = KernelHarness.FastOutliers(window, size, size);
        var expected = Math.Abs((10000 + 3 * 65535) / 19.0 - 0 / 60.0);
        Assert.Contains(actual, o => o.X == 4 && o.Y == 4 && o.D == expected);
    }

    [Theory]
    [InlineData(114000, 0, false)] // D = 6000 exactly: not an outlier (strict)
    [InlineData(114001, 0, true)] // D = 6000.05
    [InlineData(115900, 6000, false)] // 6100 − 100 = 6000 exactly with both sums non-zero
    [InlineData(115901, 6000, true)]
    public void Deviation_exactly_at_the_threshold_is_not_an_outlier(int closeSum, int outerSum, bool outlier)
    {
        // The centre (row 6, column 6 of a 13 × 13 tile) gets its close sum from the newest layer's 13 close
        // positions and its outer sum from the newest layer's positions at distance 3.
        const int size = 13;
        var window = Enumerable.Range(0, 3).Select(_ => new ushort[size * size]).ToArray();
        Spread(window[2], size, closeSum, distance => distance <= 2, centreValue: 10000);
        Spread(window[2], size, outerSum, distance => distance == 3, centreValue: null);
        var actual = KernelHarness.FastOutliers(window, size, size);
        KernelHarness.AssertSameOutliers(LiteralQueries.Outliers(window, size, size), actual, $"close {closeSum}, outer {outerSum}");
        Assert.Equal(outlier, actual.Any(o => o.X == 6 && o.Y == 6));
    }

    [Fact]
    public void Outliers_come_in_scan_order_columns_first()
    {
        const int size = 30;
        var random = new Random(7);
        var window = Enumerable.Range(0, 3).Select(_ => RandomTile(random, size, size)).ToArray();
        var actual = KernelHarness.FastOutliers(window, size, size);
        Assert.True(actual.Count > 5);
        for (var i = 1; i < actual.Count; i++)
        {
            Assert.True(actual[i - 1].Y < actual[i].Y || (actual[i - 1].Y == actual[i].Y && actual[i - 1].X < actual[i].X));
        }
    }

    [Fact]
    public void Reused_detector_and_buffers_give_the_same_answers_for_other_sizes()
    {
        var detector = new OutlierDetector();
        var outliers = new Outliers();
        var random = new Random(11);
        foreach (var (rows, cols) in new[] { (20, 20), (7, 45), (20, 20), (45, 7), (500, 500), (3, 3) })
        {
            var window = Enumerable.Range(0, 3).Select(_ => RandomTile(random, rows, cols)).ToArray();
            detector.Detect(KernelHarness.Tile(window[0], rows, cols), KernelHarness.Tile(window[1], rows, cols), KernelHarness.Tile(window[2], rows, cols), outliers);
            var actual = outliers.ScanOrder.ToArray().Select(i => (outliers.Row[i], outliers.Col[i], outliers.Deviation[i])).ToList();
            KernelHarness.AssertSameOutliers(LiteralQueries.Outliers(window, rows, cols), actual, $"{rows}x{cols}");
        }
    }

    [Fact]
    public void Saturation_counts_pixels_strictly_above_65000()
    {
        ushort[] pixels = [0, 5000, 64999, 65000, 65001, 65535, 65535, 12];
        var many = Enumerable.Range(0, 1000).Select(i => (ushort)(i % 3 == 0 ? 65001 : 65000)).ToArray();
        Assert.Equal(3, SaturationCounter.Count(KernelHarness.Tile(pixels, 2, 4)));
        Assert.Equal(LiteralQueries.Saturated(many), SaturationCounter.Count(KernelHarness.Tile(many, 40, 25)));
    }

    internal static ushort[] RandomTile(Random random, int rows, int cols)
    {
        var tile = new ushort[rows * cols];
        for (var i = 0; i < tile.Length; i++)
        {
            tile[i] = random.Next(10) switch
            {
                < 4 => (ushort)random.Next(0, 5200),
                < 7 => (ushort)random.Next(15000, 30000),
                < 9 => (ushort)random.Next(40000, 65535),
                _ => (ushort)random.Next(64990, 65536),
            };
        }

        return tile;
    }

    /// <summary>Puts <paramref name="sum"/> on the positions of the newest layer at the chosen distances from the centre.</summary>
    private static void Spread(ushort[] tile, int size, int sum, Func<int, bool> where, int? centreValue)
    {
        var positions = new List<int>();
        for (var r = 0; r < size; r++)
        {
            for (var c = 0; c < size; c++)
            {
                var distance = Math.Abs(r - 6) + Math.Abs(c - 6);
                if (where(distance) && distance > 0)
                {
                    positions.Add(r * size + c);
                }
            }
        }

        var remaining = sum;
        if (centreValue is { } value)
        {
            tile[6 * size + 6] = (ushort)value;
            remaining -= value;
        }

        for (var i = 0; i < positions.Count; i++)
        {
            var share = remaining / (positions.Count - i);
            tile[positions[i]] = (ushort)share;
            remaining -= share;
        }

        Assert.Equal(0, remaining);
    }
}
