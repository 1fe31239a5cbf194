using System.Text;
using System.Xml.Linq;
using Weir.Connectors.Parquet;
using Weir.Pipelines.Factory;
using Weir.Testing;

namespace Weir.Factory.Tests;

public sealed class CorrelationReportTests
{
    private static readonly DateTime T0 = new(2021, 6, 22, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Report_matches_the_hand_computed_example()
    {
        using var data = new TempDirectory("factory-report");
        var database = data.Combine("database");
        // Product 0: increases +10 @01:00, +15.5 @02:00, -1 @03:00, +30 @04:00, +10 @05:00 (ties with 01:00; the earlier wins).
        // Product 1: +0.25 @02:00, +100 two days later. Product 2: +1 @01:00 and no metric 2 within a day.
        // Rows are spread over two files per table and out of time order.
        ArrowTables.WriteWorkOrders(Path.Combine(database, "workorder", "part-0.parquet"),
        [
            (T0.AddHours(4), 0, 54.5f), (T0, 1, 100f), (T0.AddHours(1), 0, 10f), (T0.AddHours(50), 1, 200.25f), (T0, 2, 5f),
        ]);
        ArrowTables.WriteWorkOrders(Path.Combine(database, "workorder", "part-1.parquet"),
        [
            (T0.AddHours(3), 0, 24.5f), (T0, 0, 0f), (T0.AddHours(2), 1, 100.25f), (T0.AddHours(5), 0, 64.5f), (T0.AddHours(2), 0, 25.5f), (T0.AddHours(1), 2, 6f),
        ]);
        ArrowTables.WriteMetrics(Path.Combine(database, "metrics", "part-0.parquet"),
        [
            (0, 7.5f, T0.AddMinutes(230)),   // 10 min before 04:00
            (0, 8.5f, T0.AddMinutes(250)),   // 10 min after 04:00: a tie, the earlier reading wins
            (1, 99f, T0.AddHours(4)),        // exactly at 04:00 but metric 1: not product 0's
            (0, 3.25f, T0.AddMinutes(150)),
            (0, 2f, T0.AddMinutes(105)),     // 15 min before 02:00
        ]);
        ArrowTables.WriteMetrics(Path.Combine(database, "metrics", "part-1.parquet"),
        [
            (0, 1.5f, T0.AddMinutes(30)),    // 30 min before 01:00 (01:45 is 45 min after)
            (0, -4.75f, T0.AddMinutes(-20)),
            (1, 42f, T0.AddHours(26)),       // exactly one day before T0+50h: inside the window
            (1, 43f, T0.AddHours(74).AddSeconds(1)), // one day and a second after: outside
            (2, 1f, T0.AddHours(1).AddDays(2)),
        ]);

        var result = await WeirCli.RunAsync(["report", "factory", "--database", database, "--out", data.Combine("reports"), "--data-root", data.Path], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Describe());
        var run = Assert.Single(Directory.GetDirectories(data.Combine("reports")));
        Assert.Equal(
            """
            ,id,value,time,production_time,increase
            0,0,7.5,2021-06-22 03:50:00,2021-06-22 04:00:00,30
            1,0,2,2021-06-22 01:45:00,2021-06-22 02:00:00,15.5
            2,0,1.5,2021-06-22 00:30:00,2021-06-22 01:00:00,10

            """.ReplaceLineEndings("\n"),
            await File.ReadAllTextAsync(Path.Combine(run, "0.csv")));
        Assert.Equal(
            """
            ,id,value,time,production_time,increase
            0,1,42,2021-06-23 02:00:00,2021-06-24 02:00:00,100
            1,1,99,2021-06-22 04:00:00,2021-06-22 02:00:00,0.25

            """.ReplaceLineEndings("\n"),
            await File.ReadAllTextAsync(Path.Combine(run, "1.csv")));
        Assert.Equal(
            """
            ,id,value,time,production_time,increase
            0,,,,2021-06-22 01:00:00,1

            """.ReplaceLineEndings("\n"),
            await File.ReadAllTextAsync(Path.Combine(run, "2.csv")));
        Assert.Contains("read 11 work orders and 10 metric readings", result.StandardOutput, StringComparison.Ordinal);

        var svg = XDocument.Load(Path.Combine(run, "report.svg"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Equal(3, texts.Count(t => t.StartsWith("Product ", StringComparison.Ordinal)));
        Assert.Contains("#1: +30 at 2021-06-22 04:00:00  ↔  metric 0 = 7.5 at 2021-06-22 03:50:00", texts);
        Assert.Contains("#1: +1 at 2021-06-22 01:00:00  ↔  no reading of metric 2 within a day", texts);
    }

    [Fact]
    public async Task A_missing_table_is_a_clear_error()
    {
        using var data = new TempDirectory("factory-report");

        var result = await WeirCli.RunAsync(["report", "factory", "--data-root", data.Path], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"no Parquet files in '{Path.Combine(data.Path, "factory", "database", "workorder")}'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_generated_data_each_top_increase_meets_the_speed_reading_of_its_line()
    {
        using var data = new TempDirectory("factory-report");
        var (metricsJson, workOrdersJson) = FactoryDataGenerator.Generate(new FactoryDataShape());
        var database = data.Combine("database");
        await WriteTableAsync(Path.Combine(database, "metrics", "all.parquet"), FactorySchemas.Metrics, metricsJson);
        await WriteTableAsync(Path.Combine(database, "workorder", "all.parquet"), FactorySchemas.WorkOrder, workOrdersJson);

        var (workOrders, metrics, skipped) = await CorrelationReport.LoadAsync(database, CancellationToken.None);
        var reports = CorrelationReport.Compute(workOrders, metrics, TimeSpan.FromDays(1));
        var files = CorrelationReport.Write(data.Combine("out"), reports);

        Assert.Equal(0, skipped);
        Assert.Equal([0, 1], reports.Select(r => r.Product));
        foreach (var report in reports)
        {
            Assert.Equal(287, report.Intervals.Count);
            Assert.Equal(3, report.Top.Count);
            Assert.Equal(report.Intervals.Max(i => i.Increase), report.Top[0].Increase.Increase);
            Assert.All(report.Top, t =>
            {
                var reading = Assert.NotNull(t.Reading);
                Assert.Equal(report.Product, reading.Id);
                Assert.True((reading.Time - t.Increase.Time).Duration() < TimeSpan.FromHours(1), "a reading of the same cycle is the closest");
            });
            // The biggest increases come from the fastest cycles: their speed readings are above the product's average.
            Assert.True(report.Top.Average(t => t.Reading!.Value.Value) > report.Readings.Average(r => r.Value));
        }

        Assert.Equal(["0.csv", "1.csv", "report.svg"], files.Select(Path.GetFileName));
    }

    private static async Task WriteTableAsync(string path, RecordSchema schema, string jsonArray)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jsonArray);
        var batch = new ColumnBatch(schema);
        var decoder = new JsonRecordDecoder(schema);
        foreach (var record in document.RootElement.EnumerateArray())
        {
            Assert.True(decoder.TryAppend(Encoding.UTF8.GetBytes(record.GetRawText()), batch, out var error), error);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await ParquetTableWriter.WriteAsync(file, batch, 0, batch.Count);
    }
}
