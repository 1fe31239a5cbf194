using System.Xml.Linq;
using Weir.Services.PlantImages.Bench;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

public sealed class PlantSyncBenchTests
{
    [Fact]
    public void Staleness_counts_a_change_visible_when_that_version_or_a_newer_one_lands()
    {
        var analysis = new StalenessAnalysis();
        // potato/1 changed at 1 s, 2 s and 3 s; the batch copied only the 3 s version, at 10 s.
        analysis.Applied("potato", 1, changedAt: 3_000_000, appliedAt: 10_000_000);
        // potato/2 changed at 1 s; the stream applied it at 1.25 s, then (replayed) again at 5 s.
        analysis.Applied("potato", 2, changedAt: 1_000_000, appliedAt: 1_250_000);
        analysis.Applied("potato", 2, changedAt: 1_000_000, appliedAt: 5_000_000);

        var (seconds, missing) = analysis.Measure([("potato", 1, 1_000_000), ("potato", 1, 2_000_000), ("potato", 1, 3_000_000), ("potato", 2, 1_000_000), ("potato", 3, 1_000_000)]);

        Assert.Equal([9.0, 8.0, 7.0, 0.25], seconds);
        Assert.Equal(1, missing);
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var values = Enumerable.Range(1, 200).Select(v => (double)v).Reverse().ToList();

        var distribution = Distribution.Of(values);

        Assert.Equal((200, 100.0, 198.0, 200.0, 100.5), (distribution.Count, distribution.P50, distribution.P99, distribution.Max, distribution.Mean));
        Assert.True(double.IsNaN(Distribution.Of([]).P50));
    }

    [Fact]
    public async Task The_bench_verb_runs_both_parts_and_writes_a_report_with_a_chart()
    {
        using var folder = new TempDirectory("plant-bench");

        var result = await WeirCli.RunAsync(
            ["bench", "plant-sync", "--changes", "300", "--duration", "8s", "--batch-interval", "3s", "--speed", "200", "--image-size", "24", "--out", folder.Path],
            TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.Describe());
        var report = await File.ReadAllTextAsync(folder.Combine("report.md"));
        Assert.Contains("| SQLite | batched (up to 500 per transaction) |", report, StringComparison.Ordinal);
        Assert.Contains("| SQLite | one record per transaction |", report, StringComparison.Ordinal);
        Assert.Contains("| consumer database equals producer at the end | yes | yes | |", report, StringComparison.Ordinal);
        Assert.Contains("| changes never visible | 0 | 0 | |", report, StringComparison.Ordinal);
        var chart = XDocument.Load(folder.Combine("report.svg"));
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(2, chart.Descendants(svg + "polyline").Count(p => p.Attribute("stroke-width")?.Value == "2.5"));
        Assert.False(Directory.Exists(folder.Combine("brokers")));
    }
}
