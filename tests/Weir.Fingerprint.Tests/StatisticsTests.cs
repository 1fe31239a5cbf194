using System.Globalization;
using System.Text;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Shared;

namespace Weir.Fingerprint.Tests;

/// <summary>
/// compute_stats against Python 3.11's statistics module on the same inputs, compared as Python's json.dumps of each
/// result (so the value and its printed form must both match to the last digit).
/// </summary>
public sealed class StatisticsTests
{
    private const string ComputeStats = """
        import sys, json, statistics
        for line in sys.stdin:
            values = [float(s) for s in line.split()]
            out = [min(values), max(values), statistics.median(values), statistics.mean(values),
                   statistics.pstdev(values) if len(values) > 1 else 0.0]
            print(" ".join(json.dumps(v) for v in out))
        """;

    [Fact]
    public async Task Generated_windows_match_python_statistics_for_odd_even_and_single_counts()
    {
        var random = new Random(1);
        var windows = new List<double[]>();
        foreach (var n in new[] { 1, 1, 2, 2, 3, 4, 5, 59, 60, 61, 120, 1000 })
        {
            for (var repeat = 0; repeat < 40; repeat++)
            {
                // The generator's values: round(uniform(0, 100), 3).
                windows.Add(Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 100, 3)).ToArray());
            }
        }

        await AssertMatchesPython(windows);
    }

    [Fact]
    public async Task Float32_widened_values_as_the_original_job_saw_them_match_python()
    {
        var random = new Random(2);
        var windows = Enumerable.Range(0, 300)
            .Select(i => Enumerable.Range(0, 1 + (i % 70)).Select(_ => (double)(float)Math.Round(random.NextDouble() * 100, 3)).ToArray())
            .ToList();

        await AssertMatchesPython(windows);
    }

    [Fact]
    public async Task Hard_cases_match_python_negative_equal_tiny_huge_and_mixed_magnitudes()
    {
        var random = new Random(3);
        var windows = new List<double[]>
        {
            new[] { 5.0, 5.0, 5.0, 5.0 },
            new[] { 0.0, 0.0 },
            new[] { 0.0, 1.0 },
            new[] { -0.0 },
            new[] { 0.1, 0.2, 0.3 },
            new[] { 1e-300, 1e300 },
            new[] { double.Epsilon, 2 * double.Epsilon, 5 * double.Epsilon },
            new[] { 1e308, 1.5e308 },
            new[] { -3.5, 2.25, -1e-5, 7e10 },
            new[] { 1.0, 1.0 + Math.BitIncrement(1.0) - 1.0 + 1.0, 1.0 },
            new[] { 9007199254740993.0, 1, 2 },
            new[] { 123456.789, 123456.789000001, 123456.788999999 },
        };
        for (var i = 0; i < 300; i++)
        {
            var n = 1 + random.Next(40);
            windows.Add(Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31))).ToArray());
            windows.Add(Enumerable.Range(0, n).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF) * (random.Next(2) == 0 ? 1 : -1)).ToArray());
        }

        await AssertMatchesPython(windows);
    }

    [Fact]
    public async Task The_fast_path_and_the_exact_path_agree_with_python_wherever_the_fast_path_answers()
    {
        var random = new Random(4);
        var windows = new List<double[]>();
        for (var i = 0; i < 2_000; i++)
        {
            var n = 2 + random.Next(100);
            windows.Add(Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 100, random.Next(0, 6))).ToArray());
        }

        var expected = await PythonStats(windows);
        var fastAnswered = 0;
        for (var i = 0; i < windows.Count; i++)
        {
            FingerprintStatistics.Exact(windows[i], out var exactMean, out var exactStd);
            Assert.Equal(expected[i][3], PythonJson.Float(exactMean));
            Assert.Equal(expected[i][4], PythonJson.Float(exactStd));
            if (FingerprintStatistics.TryFast(windows[i], out var fastMean, out var fastStd))
            {
                fastAnswered++;
                Assert.Equal(expected[i][3], PythonJson.Float(fastMean));
                Assert.Equal(expected[i][4], PythonJson.Float(fastStd));
            }
        }

        Assert.True(fastAnswered > windows.Count * 0.99, $"the fast path answered {fastAnswered} of {windows.Count}");
    }

    [Fact]
    public void A_sensor_with_no_values_has_no_statistics()
    {
        Assert.Throws<ArgumentException>(() => FingerprintStatistics.Compute([], new double[1]));
    }

    private static async Task AssertMatchesPython(List<double[]> windows)
    {
        var expected = await PythonStats(windows);
        var scratch = new double[windows.Max(w => w.Length)];
        for (var i = 0; i < windows.Count; i++)
        {
            var s = FingerprintStatistics.Compute(windows[i], scratch);
            var actual = new[] { s.Min, s.Max, s.Median, s.Mean, s.StdDev }.Select(PythonJson.Float).ToArray();
            Assert.True(expected[i].SequenceEqual(actual),
                $"window {i} [{string.Join(", ", windows[i].Take(8).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}...] (n={windows[i].Length}): python {string.Join(' ', expected[i])}, weir {string.Join(' ', actual)}");
        }
    }

    private static async Task<string[][]> PythonStats(List<double[]> windows)
    {
        var input = new StringBuilder();
        foreach (var window in windows)
        {
            input.AppendLine(string.Join(' ', window.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }

        var lines = await Python.RunLinesAsync(ComputeStats, input.ToString());
        Assert.Equal(windows.Count, lines.Length);
        return lines.Select(l => l.Split(' ')).ToArray();
    }
}
