using System.Globalization;
using System.Text;
using Weir.Connectors.Parquet;

namespace Weir.Pipelines.Factory;

/// <summary>One work-order interval: the cumulative counter moved by <see cref="Increase"/> up to <see cref="Time"/>.</summary>
internal readonly record struct ProductionIncrease(int Product, DateTime Time, float Production, float Increase);

/// <summary>A metric reading.</summary>
internal readonly record struct MetricReading(int Id, float Value, DateTime Time);

/// <summary>One of a product's top increases and the reading of metric id = product closest to it in time (if any within the window).</summary>
internal sealed record CorrelatedIncrease(int Rank, ProductionIncrease Increase, MetricReading? Reading);

/// <summary>The report of one product.</summary>
internal sealed record ProductReport(int Product, IReadOnlyList<ProductionIncrease> Intervals, IReadOnlyList<MetricReading> Readings, IReadOnlyList<CorrelatedIncrease> Top);

/// <summary>
/// The original pipeline's batch "CorrelationReport", without Spark: per product, the increase of cumulative
/// production between consecutive work orders (ordered by time), the top three increases, and for each the metric
/// reading with id = product closest in time within ± one day. Differences from the original, on purpose: the window
/// is exactly ±24 h around the work order (Spark's date_sub/date_add compare against midnight of the day before and
/// after); the first work order of a product, which has no increase, is never ranked; ties go to the earlier time
/// (Spark leaves them to chance).
/// </summary>
internal static class CorrelationReport
{
    public const int TopCount = 3;

    public static IReadOnlyList<ProductReport> Compute(IReadOnlyList<(DateTime Time, int Product, float Production)> workOrders, IReadOnlyList<MetricReading> metrics, TimeSpan window)
    {
        var reports = new List<ProductReport>();
        foreach (var product in workOrders.Select(w => w.Product).Distinct().Order())
        {
            var orders = workOrders.Where(w => w.Product == product).OrderBy(w => w.Time).ThenBy(w => w.Production).ToList();
            var intervals = new List<ProductionIncrease>(orders.Count);
            for (var i = 1; i < orders.Count; i++)
            {
                // FloatType minus FloatType is FloatType in Spark: the increase is computed in single precision too.
                intervals.Add(new ProductionIncrease(product, orders[i].Time, orders[i].Production, orders[i].Production - orders[i - 1].Production));
            }

            var readings = metrics.Where(m => m.Id == product).OrderBy(m => m.Time).ToList();
            var top = intervals
                .OrderByDescending(i => i.Increase)
                .ThenBy(i => i.Time)
                .Take(TopCount)
                .Select((increase, rank) => new CorrelatedIncrease(rank, increase, Closest(readings, increase.Time, window)))
                .ToList();
            reports.Add(new ProductReport(product, intervals, readings, top));
        }

        return reports;
    }

    /// <summary>Reads the "workorder" and "metrics" tables (folders of Parquet files) under <paramref name="database"/>.</summary>
    public static async Task<(List<(DateTime Time, int Product, float Production)> WorkOrders, List<MetricReading> Metrics, long SkippedRows)> LoadAsync(
        string database, CancellationToken cancellationToken)
    {
        var (orders, skippedOrders) = await LoadTableAsync(Path.Combine(database, "workorder"), FactorySchemas.WorkOrder, cancellationToken).ConfigureAwait(false);
        var (metrics, skippedMetrics) = await LoadTableAsync(Path.Combine(database, "metrics"), FactorySchemas.Metrics, cancellationToken).ConfigureAwait(false);
        var workOrders = new List<(DateTime, int, float)>(orders.Count);
        for (var i = 0; i < orders.Count; i++)
        {
            workOrders.Add((orders.Timestamps(0)[i], orders.Int32s(1)[i], orders.Float32s(2)[i]));
        }

        var readings = new List<MetricReading>(metrics.Count);
        for (var i = 0; i < metrics.Count; i++)
        {
            readings.Add(new MetricReading(metrics.Int32s(0)[i], metrics.Float32s(1)[i], metrics.Timestamps(2)[i]));
        }

        return (workOrders, readings, skippedOrders + skippedMetrics);
    }

    /// <summary>The Parquet files of a table folder: every *.parquet, except hidden and temporary ones (".x", "_x").</summary>
    public static IEnumerable<string> TableFiles(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) is var name && !name.StartsWith('.') && !name.StartsWith('_'))
                .Order(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// Writes one CSV per product (<c>{product}.csv</c>) in the original's columns, an unnamed rank index then
    /// <c>id,value,time</c> (the metric reading), followed by <c>production_time,increase</c> (the work order it answers),
    /// and <c>report.svg</c>, a chart of every product's increases and readings with the top three marked.
    /// </summary>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<ProductReport> reports)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var report in reports)
        {
            var csv = new StringBuilder();
            csv.Append(",id,value,time,production_time,increase\n");
            foreach (var row in report.Top)
            {
                csv.Append(row.Rank.ToString(CultureInfo.InvariantCulture)).Append(',');
                if (row.Reading is { } reading)
                {
                    csv.Append(reading.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
                        .Append(reading.Value.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                        .Append(FormatTime(reading.Time));
                }
                else
                {
                    csv.Append(",,");
                }

                csv.Append(',').Append(FormatTime(row.Increase.Time))
                    .Append(',').Append(row.Increase.Increase.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }

            var path = Path.Combine(folder, report.Product.ToString(CultureInfo.InvariantCulture) + ".csv");
            File.WriteAllText(path, csv.ToString(), new UTF8Encoding(false));
            written.Add(path);
        }

        var chart = Path.Combine(folder, "report.svg");
        File.WriteAllText(chart, CorrelationChart.Render(reports), new UTF8Encoding(false));
        written.Add(chart);
        return written;
    }

    /// <summary>As pandas writes a timestamp to CSV: "2021-06-22 15:57:58" (UTC).</summary>
    public static string FormatTime(DateTime time) =>
        time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static MetricReading? Closest(List<MetricReading> readings, DateTime time, TimeSpan window)
    {
        MetricReading? best = null;
        var bestDistance = TimeSpan.MaxValue;
        foreach (var reading in readings)
        {
            var distance = (reading.Time - time).Duration();
            // Readings are in time order, so on a tie the earlier one is already the best.
            if (distance <= window && distance < bestDistance)
            {
                best = reading;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static async Task<(ColumnBatch Rows, long Skipped)> LoadTableAsync(string folder, RecordSchema schema, CancellationToken cancellationToken)
    {
        var batch = new ColumnBatch(schema);
        long skipped = 0;
        var files = TableFiles(folder).ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"no Parquet files in '{folder}' (the sink writes the {schema.Name} table there)");
        }

        foreach (var file in files)
        {
            skipped += await ParquetTableReader.ReadAsync(file, batch, cancellationToken).ConfigureAwait(false);
        }

        return (batch, skipped);
    }
}
