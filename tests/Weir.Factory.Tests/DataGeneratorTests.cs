using System.Text.Json;
using Weir.Pipelines.Factory;

namespace Weir.Factory.Tests;

public sealed class DataGeneratorTests
{
    [Fact]
    public void The_same_shape_gives_the_same_files_and_another_seed_other_files()
    {
        var shape = new FactoryDataShape { Cycles = 30 };

        Assert.Equal(FactoryDataGenerator.Generate(shape), FactoryDataGenerator.Generate(shape));
        Assert.NotEqual(FactoryDataGenerator.Generate(shape).Metrics, FactoryDataGenerator.Generate(shape with { Seed = 9 }).Metrics);
    }

    [Fact]
    public void Default_files_have_the_size_and_shape_of_the_original_data()
    {
        var (metricsText, workOrdersText) = FactoryDataGenerator.Generate(new FactoryDataShape());
        using var metricsDocument = JsonDocument.Parse(metricsText);
        using var workOrdersDocument = JsonDocument.Parse(workOrdersText);
        var metrics = metricsDocument.RootElement.EnumerateArray().ToList();
        var workOrders = workOrdersDocument.RootElement.EnumerateArray().ToList();

        // The original: 6896 metrics for ids 0-19 in ascending time, about 340 per id; 576 work orders, 288 per product.
        Assert.InRange(metrics.Count, 6500, 7300);
        Assert.All(metrics, m => Assert.Equal(["id", "val", "time"], m.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(Enumerable.Range(0, 20), metrics.Select(m => m.GetProperty("id").GetInt32()).Distinct().Order());
        Assert.All(metrics.GroupBy(m => m.GetProperty("id").GetInt32()), g => Assert.InRange(g.Count(), 300, 400));
        var times = metrics.Select(m => m.GetProperty("time").GetInt64()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(1624377478, times[0], tolerance: 1800);

        Assert.Equal(576, workOrders.Count);
        Assert.All(workOrders, w => Assert.Equal(["time", "product", "production"], w.EnumerateObject().Select(p => p.Name)));
        var products = workOrders.Select(w => w.GetProperty("product").GetInt32()).ToList();
        Assert.Equal(Enumerable.Repeat(0, 288).Concat(Enumerable.Repeat(1, 288)), products); // grouped by product, not by time
        foreach (var product in workOrders.GroupBy(w => w.GetProperty("product").GetInt32()))
        {
            var rows = product.ToList();
            Assert.Equal("0", rows[0].GetProperty("production").GetRawText()); // the counter starts at integer 0
            var production = rows.Select(r => r.GetProperty("production").GetDouble()).ToList();
            var gaps = rows.Zip(rows.Skip(1), (a, b) => b.GetProperty("time").GetInt64() - a.GetProperty("time").GetInt64()).ToList();
            Assert.All(gaps, gap => Assert.InRange(gap, 4000, 6000));
            Assert.True(production[^1] > 100 * production.Count / 10.0, "the cumulative counter grows");
            Assert.True(production.Zip(production.Skip(1)).Count(p => p.Second > p.First) > 250, "it grows almost every cycle");
        }
    }

    [Fact]
    public void The_speed_sensor_of_a_product_follows_its_production_rate()
    {
        var (metricsText, workOrdersText) = FactoryDataGenerator.Generate(new FactoryDataShape());
        using var metrics = JsonDocument.Parse(metricsText);
        using var workOrders = JsonDocument.Parse(workOrdersText);
        var orders = workOrders.RootElement.EnumerateArray().Where(w => w.GetProperty("product").GetInt32() == 0).ToList();
        var readings = metrics.RootElement.EnumerateArray().Where(m => m.GetProperty("id").GetInt32() == 0)
            .Select(m => (Time: m.GetProperty("time").GetInt64(), Value: m.GetProperty("val").GetDouble())).ToList();

        var pairs = new List<(double Increase, double Reading)>();
        for (var i = 1; i < orders.Count; i++)
        {
            var time = orders[i].GetProperty("time").GetInt64();
            var nearest = readings.MinBy(r => Math.Abs(r.Time - time));
            pairs.Add((orders[i].GetProperty("production").GetDouble() - orders[i - 1].GetProperty("production").GetDouble(), nearest.Value));
        }

        Assert.True(Correlation(pairs) > 0.5, $"correlation {Correlation(pairs)}");
    }

    private static double Correlation(List<(double X, double Y)> pairs)
    {
        var mx = pairs.Average(p => p.X);
        var my = pairs.Average(p => p.Y);
        var cov = pairs.Sum(p => (p.X - mx) * (p.Y - my));
        return cov / Math.Sqrt(pairs.Sum(p => (p.X - mx) * (p.X - mx)) * pairs.Sum(p => (p.Y - my) * (p.Y - my)));
    }
}
