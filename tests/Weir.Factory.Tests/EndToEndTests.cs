using System.Text;
using System.Text.Json;
using Weir.Connectors.Parquet;
using Weir.Pipelines.Factory;
using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>The whole pipeline as a user runs it: `weir up` (broker, API, producers, sink), then `weir report factory`.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task Weir_up_streams_both_files_into_Parquet_and_the_report_equals_the_report_of_the_source_data()
    {
        using var data = new TempDirectory("factory-e2e");
        var generated = await WeirCli.RunAsync(["generate", "factory", "--cycles", "40", "--data-root", data.Path], TimeSpan.FromSeconds(60));
        Assert.True(generated.ExitCode == 0, generated.Describe());
        var source = Path.Combine(data.Path, "factory", "source");
        var metricsCount = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(source, "metrics.json"))).RootElement.GetArrayLength();
        var workOrderCount = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(source, "workorder.json"))).RootElement.GetArrayLength();

        using var up = WeirCli.Start(
            ["up", "--only", "broker,factory-api,factory-producer,factory-sink", "--data-root", data.Path],
            environment: new Dictionary<string, string>
            {
                ["WEIR_Broker__Listen"] = "127.0.0.1:0",
                ["WEIR_Broker__AutoCreateTopics"] = "false", // as in the original: topics exist only because the producers create them
                ["WEIR_Factory__Api__Listen"] = "127.0.0.1:0",
                ["WEIR_Factory__Api__Delay"] = "0.001",
                ["WEIR_Factory__Sink__TriggerSeconds"] = "0.5",
            });
        var output = new LineCollector(up);
        var database = Path.Combine(data.Path, "factory", "database");
        try
        {
            await output.WaitForLineAsync(l => l.Contains("factory-producer finished", StringComparison.Ordinal), TimeSpan.FromMinutes(4));
            await Eventually.HoldsAsync(
                async () => await RowsAsync(Path.Combine(database, "metrics"), FactorySchemas.Metrics) == metricsCount
                    && await RowsAsync(Path.Combine(database, "workorder"), FactorySchemas.WorkOrder) == workOrderCount,
                TimeSpan.FromMinutes(2),
                () => $"the sink has not written every record; output:\n{output.Text}");
            await ProcessRun.SignalAsync(up, "TERM");
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await up.WaitForExitAsync(exit.Token);
            Assert.True(up.ExitCode == 0, output.Text);
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }

        var report = await WeirCli.RunAsync(["report", "factory", "--data-root", data.Path], TimeSpan.FromSeconds(60));
        Assert.True(report.ExitCode == 0, report.Describe());
        var run = Assert.Single(Directory.GetDirectories(Path.Combine(data.Path, "factory", "reports")));

        // The same report computed straight from the source files, without Kafka or Parquet in between.
        var expected = CorrelationReport.Compute(
            await DecodeAsync(Path.Combine(source, "workorder.json"), FactorySchemas.WorkOrder, b => (b.Timestamps(0)[0], b.Int32s(1)[0], b.Float32s(2)[0])),
            await DecodeAsync(Path.Combine(source, "metrics.json"), FactorySchemas.Metrics, b => new MetricReading(b.Int32s(0)[0], b.Float32s(1)[0], b.Timestamps(2)[0])),
            TimeSpan.FromDays(1));
        using var reference = new TempDirectory("factory-e2e-reference");
        CorrelationReport.Write(reference.Path, expected);
        foreach (var product in new[] { "0.csv", "1.csv" })
        {
            Assert.Equal(await File.ReadAllTextAsync(reference.Combine(product)), await File.ReadAllTextAsync(Path.Combine(run, product)));
        }

        Assert.True(new FileInfo(Path.Combine(run, "report.svg")).Length > 1000);
    }

    private static async Task<long> RowsAsync(string folder, RecordSchema schema)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var batch = new ColumnBatch(schema);
        foreach (var file in Directory.GetFiles(folder, "*.parquet"))
        {
            await ParquetTableReader.ReadAsync(file, batch);
        }

        return batch.Count;
    }

    private static async Task<List<T>> DecodeAsync<T>(string path, RecordSchema schema, Func<ColumnBatch, T> row)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var decoder = new JsonRecordDecoder(schema);
        var rows = new List<T>();
        foreach (var record in document.RootElement.EnumerateArray())
        {
            var batch = new ColumnBatch(schema, 1);
            Assert.True(decoder.TryAppend(Encoding.UTF8.GetBytes(record.GetRawText()), batch, out var error), error);
            rows.Add(row(batch));
        }

        return rows;
    }
}
