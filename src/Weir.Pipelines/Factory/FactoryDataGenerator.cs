using System.Globalization;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Factory;

/// <summary>What the sample-data generator makes; the defaults give files the size and shape of the original data.</summary>
internal sealed record FactoryDataShape
{
    public int Seed { get; init; } = 8;

    /// <summary>First instant, epoch seconds (the original data starts at 1624377478, 2021-06-22 15:57:58 UTC).</summary>
    public long Start { get; init; } = 1624377478;

    /// <summary>Work orders per product; one per shift cycle.</summary>
    public int Cycles { get; init; } = 288;

    /// <summary>Seconds between work orders of a product (the original's are about 5000 s apart).</summary>
    public int CycleSeconds { get; init; } = 5000;

    /// <summary>Metric ids 0..N-1; ids below <see cref="Products"/> measure the speed of that product's line.</summary>
    public int MetricIds { get; init; } = 20;

    public int Products { get; init; } = 2;
}

/// <summary>
/// Generates realistic sample files in the original schemas, since the original data cannot be shipped:
/// <c>metrics.json</c>, a JSON array of <c>{"id", "val", "time"}</c> in ascending time (one burst of readings per
/// cycle, some ids twice), and <c>workorder.json</c>, a JSON array of <c>{"time", "product", "production"}</c> with a
/// cumulative production counter per product, grouped by product (not time-sorted, as in the original, so the
/// streaming API's sort matters). Metric id p follows the speed of product p's line, so the correlation report has
/// something real to find; the other ids drift, oscillate or are noisy, like the original sensors. Deterministic
/// for a given <see cref="FactoryDataShape"/>.
/// </summary>
internal static class FactoryDataGenerator
{
    public const string MetricsFile = "metrics.json";
    public const string WorkOrderFile = "workorder.json";

    public static (string Metrics, string WorkOrders) Generate(FactoryDataShape shape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Cycles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.MetricIds, shape.Products);
        var random = new Random(shape.Seed);
        var speeds = new double[shape.Products, shape.Cycles];
        for (var p = 0; p < shape.Products; p++)
        {
            var phase = random.NextDouble() * Math.Tau;
            var walk = 0.0;
            for (var c = 0; c < shape.Cycles; c++)
            {
                walk = Math.Clamp(walk + Gaussian(random, 0, 0.04), -0.3, 0.3);
                speeds[p, c] = 1 + 0.25 * Math.Sin(Math.Tau * c / 48 + phase) + walk;
            }
        }

        return (Metrics(shape, random, speeds), WorkOrders(shape, random, speeds));
    }

    /// <summary>Writes both files into <paramref name="folder"/> (created when missing).</summary>
    public static void WriteFiles(string folder, FactoryDataShape shape)
    {
        Directory.CreateDirectory(folder);
        var (metrics, workOrders) = Generate(shape);
        File.WriteAllText(Path.Combine(folder, MetricsFile), metrics, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, WorkOrderFile), workOrders, new UTF8Encoding(false));
    }

    private static string Metrics(FactoryDataShape shape, Random random, double[,] speeds)
    {
        // Each id is one kind of sensor: line speed (ids below Products), slow drift, daily oscillation or noise.
        var baseline = new double[shape.MetricIds];
        var scale = new double[shape.MetricIds];
        for (var id = 0; id < shape.MetricIds; id++)
        {
            baseline[id] = Math.Round(50 + random.NextDouble() * 900, 1);
            scale[id] = 1 + random.NextDouble() * 4;
        }

        var readings = new List<(long Time, int Id, double Value)>();
        for (var c = 0; c < shape.Cycles; c++)
        {
            var cycleStart = shape.Start + (long)c * shape.CycleSeconds;
            for (var id = 0; id < shape.MetricIds; id++)
            {
                var count = random.NextDouble() < 0.2 ? 2 : 1;
                for (var k = 0; k < count; k++)
                {
                    var time = cycleStart + (long)(random.NextDouble() * 1800);
                    var hours = (time - shape.Start) / 3600.0;
                    var value = id < shape.Products
                        ? 400 * speeds[id, c] + Gaussian(random, 0, 40)
                        : (id % 3) switch
                        {
                            0 => baseline[id] + 0.02 * scale[id] * hours + Gaussian(random, 0, 0.05 * scale[id]),
                            1 => baseline[id] + 30 * scale[id] * Math.Sin(Math.Tau * hours / 24) + Gaussian(random, 0, 5),
                            _ => baseline[id] + Gaussian(random, 0, 300 * scale[id]),
                        };
                    readings.Add((time, id, value));
                }
            }
        }

        // The original file is already in time order (the API sorts anyway); a stable sort keeps equal times in
        // generation order, which gives the occasional duplicate timestamp the original has too.
        readings = [.. readings.OrderBy(r => r.Time)];
        var text = new StringBuilder(readings.Count * 56);
        text.Append('[');
        for (var i = 0; i < readings.Count; i++)
        {
            var (time, id, value) = readings[i];
            text.Append(i == 0 ? "" : ", ")
                .Append("{\"id\": ").Append(id.ToString(CultureInfo.InvariantCulture))
                .Append(", \"val\": ").Append(PythonJson.Float(value))
                .Append(", \"time\": ").Append(time.ToString(CultureInfo.InvariantCulture)).Append('}');
        }

        return text.Append(']').ToString();
    }

    private static string WorkOrders(FactoryDataShape shape, Random random, double[,] speeds)
    {
        var text = new StringBuilder(shape.Products * shape.Cycles * 80);
        text.Append('[');
        var first = true;
        for (var p = 0; p < shape.Products; p++)
        {
            var production = 0.0;
            var offset = 1000 + random.Next(200);
            for (var c = 0; c < shape.Cycles; c++)
            {
                var time = shape.Start + (long)c * shape.CycleSeconds + offset + (long)Math.Round(Gaussian(random, 0, 80));
                if (c > 0)
                {
                    // Mostly steady output tracking the line speed; the counter can dip slightly (a recount).
                    production += 20 * speeds[p, c] + Gaussian(random, 0, 4);
                }

                text.Append(first ? "{\n" : ", {\n");
                first = false;
                text.Append("    \"time\": ").Append(time.ToString(CultureInfo.InvariantCulture)).Append(",\n")
                    .Append("    \"product\": ").Append(p.ToString(CultureInfo.InvariantCulture)).Append(",\n")
                    .Append("    \"production\": ").Append(c == 0 ? "0" : PythonJson.Float(production)).Append("\n}");
            }
        }

        return text.Append(']').ToString();
    }

    private static double Gaussian(Random random, double mean, double deviation)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm's argument in (0, 1].
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + deviation * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(Math.Tau * u2);
    }
}
