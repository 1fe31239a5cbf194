using System.Diagnostics.Metrics;
using Weir.Services.Metrics;

namespace Weir.Services.Tests;

public sealed class PrometheusCollectorTests
{
    [Fact]
    public void Counters_sum_per_label_set_and_keep_their_exact_names()
    {
        using var meter = new Meter("Weir.Tests." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == meter);
        var images = meter.CreateCounter<long>("image_api_image", description: "images processed");

        images.Add(2, new KeyValuePair<string, object?>("plant", "potato"));
        images.Add(3, new KeyValuePair<string, object?>("plant", "potato"));
        images.Add(1, new KeyValuePair<string, object?>("plant", "tomato"));

        var text = collector.Render();
        Assert.Contains("# HELP image_api_image images processed\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE image_api_image counter\n", text, StringComparison.Ordinal);
        Assert.Contains("image_api_image{plant=\"potato\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("image_api_image{plant=\"tomato\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histograms_render_cumulative_buckets_sum_and_count()
    {
        using var meter = new Meter("Weir.Tests." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == meter);
        var latency = meter.CreateHistogram<double>("weir.test.latency_ms", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 10, 100] });

        latency.Record(0.5);
        latency.Record(1);
        latency.Record(50);
        latency.Record(1000);

        var text = collector.Render();
        Assert.Contains("# TYPE weir_test_latency_ms histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_bucket{le=\"1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_bucket{le=\"10\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_bucket{le=\"100\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_bucket{le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_sum 1051.5\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_latency_ms_count 4\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_gauges_report_the_values_of_the_latest_collection_only()
    {
        using var meter = new Meter("Weir.Tests." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == meter);
        var lag = new List<Measurement<long>> { new(7, new KeyValuePair<string, object?>("partition", 0)) };
        meter.CreateObservableGauge("weir.test.lag", () => lag);

        Assert.Contains("weir_test_lag{partition=\"0\"} 7\n", collector.Render(), StringComparison.Ordinal);

        lag = [new(3, new KeyValuePair<string, object?>("partition", 1))];
        var text = collector.Render();
        Assert.Contains("# TYPE weir_test_lag gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("weir_test_lag{partition=\"1\"} 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("partition=\"0\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_values_are_escaped_and_names_sanitised()
    {
        using var meter = new Meter("Weir.Tests." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == meter);
        var errors = meter.CreateCounter<int>("weir.dead-letters");

        errors.Add(1, new KeyValuePair<string, object?>("stage.name", "parse \"json\"\\\nline"));

        Assert.Contains("weir_dead_letters{stage_name=\"parse \\\"json\\\"\\\\\\nline\"} 1\n", collector.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Meters_outside_the_filter_are_not_exported()
    {
        using var included = new Meter("Weir.Tests." + Guid.NewGuid().ToString("N"));
        using var excluded = new Meter("Other." + Guid.NewGuid().ToString("N"));
        using var collector = new PrometheusCollector(m => m == included);

        excluded.CreateCounter<long>("other_metric").Add(1);
        included.CreateCounter<long>("weir_metric").Add(1);

        var text = collector.Render();
        Assert.Contains("weir_metric 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other_metric", text, StringComparison.Ordinal);
    }
}
