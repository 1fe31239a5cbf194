using ParquetSharp;
using Weir.Connectors.Parquet;
using Weir.Pipelines.Factory;
using Weir.Pipelines.Shared;
using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>What Weir writes is checked by ParquetSharp (the Apache Arrow C++ Parquet implementation), not by the library that wrote it.</summary>
public sealed class ParquetRoundTripTests
{
    [Fact]
    public async Task Metrics_rows_are_read_back_by_Arrow_with_Spark_types_and_exact_values()
    {
        using var folder = new TempDirectory("parquet");
        var path = folder.Combine("metrics.parquet");
        var random = new Random(5);
        var batch = new ColumnBatch(FactorySchemas.Metrics);
        var decoder = new JsonRecordDecoder(FactorySchemas.Metrics);
        var expected = new List<(int Id, double Val, long Time)>();
        for (var i = 0; i < 2500; i++)
        {
            var record = (Id: random.Next(20), Val: (random.NextDouble() - 0.5) * 20000, Time: 1624377478L + i * 7);
            expected.Add(record);
            var json = $$"""{"id": {{record.Id}}, "val": {{PythonJson.Float(record.Val)}}, "time": {{record.Time}}}""";
            Assert.True(decoder.TryAppend(System.Text.Encoding.UTF8.GetBytes(json), batch, out var error), error);
        }

        await using (var file = File.Create(path))
        {
            await ParquetTableWriter.WriteAsync(file, batch, 0, batch.Count, new Dictionary<string, string> { ["weir.offsets"] = "0-2499" });
        }

        using var reader = new ParquetFileReader(path);
        var schema = reader.FileMetaData.Schema;
        Assert.Equal(2500, reader.FileMetaData.NumRows);
        Assert.Equal("0-2499", reader.FileMetaData.KeyValueMetadata["weir.offsets"]);
        Assert.Equal(["id", "val", "time"], Enumerable.Range(0, schema.NumColumns).Select(i => schema.Column(i).Name));
        Assert.Equal(PhysicalType.Int32, schema.Column(0).PhysicalType);
        Assert.Equal(PhysicalType.Float, schema.Column(1).PhysicalType);
        Assert.Equal(PhysicalType.Int64, schema.Column(2).PhysicalType);
        var timestamp = Assert.IsType<TimestampLogicalType>(schema.Column(2).LogicalType);
        Assert.Equal(TimeUnit.Micros, timestamp.TimeUnit);
        Assert.True(timestamp.IsAdjustedToUtc);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(0, schema.Column(i).MaxDefinitionLevel)); // required columns

        var ids = new List<int>();
        var vals = new List<float>();
        var micros = new List<long>();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var rowGroup = reader.RowGroup(g);
            var rows = checked((int)rowGroup.MetaData.NumRows);
            ids.AddRange(rowGroup.Column(0).LogicalReader<int>().ReadAll(rows));
            vals.AddRange(rowGroup.Column(1).LogicalReader<float>().ReadAll(rows));
            micros.AddRange(rowGroup.Column(2).LogicalReaderOverride<long>().ReadAll(rows)); // the stored INT64, not a conversion
        }

        Assert.Equal(expected.Select(e => e.Id), ids);
        Assert.Equal(expected.Select(e => (float)e.Val), vals);
        Assert.Equal(expected.Select(e => e.Time * 1_000_000), micros);
    }

    [Fact]
    public async Task Files_Arrow_wrote_with_nullable_columns_are_read_and_rows_with_nulls_skipped()
    {
        using var folder = new TempDirectory("parquet");
        var path = folder.Combine("workorder.parquet");
        var t0 = new DateTime(2021, 6, 22, 0, 0, 0, DateTimeKind.Utc);
        using (var writer = new ParquetFileWriter(path,
                   [new Column<DateTime?>("time", LogicalType.Timestamp(true, TimeUnit.Millis)), new Column<int?>("product"), new Column<float?>("production"), new Column<string>("note")]))
        {
            using var rowGroup = writer.AppendRowGroup();
            using (var w = rowGroup.NextColumn().LogicalWriter<DateTime?>())
            {
                w.WriteBatch([t0, t0.AddHours(1), t0.AddHours(2)]);
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<int?>())
            {
                w.WriteBatch([0, null, 1]);
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<float?>())
            {
                w.WriteBatch([0f, 15.5f, 16.25f]);
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<string>())
            {
                w.WriteBatch(["a", "b", "c"]);
            }

            writer.Close();
        }

        var batch = new ColumnBatch(FactorySchemas.WorkOrder);
        var skipped = await ParquetTableReader.ReadAsync(path, batch);

        Assert.Equal(1, skipped);
        Assert.Equal([t0, t0.AddHours(2)], batch.Timestamps(0).ToArray());
        Assert.Equal([0, 1], batch.Int32s(1).ToArray());
        Assert.Equal([0f, 16.25f], batch.Float32s(2).ToArray());
    }

    [Fact]
    public async Task A_file_without_a_schema_column_is_an_error_naming_the_file_and_column()
    {
        using var folder = new TempDirectory("parquet");
        var path = folder.Combine("other.parquet");
        using (var writer = new ParquetFileWriter(path, [new Column<int>("id"), new Column<double>("val")]))
        {
            using var rowGroup = writer.AppendRowGroup();
            using (var w = rowGroup.NextColumn().LogicalWriter<int>())
            {
                w.WriteBatch([1]);
            }

            using (var w = rowGroup.NextColumn().LogicalWriter<double>())
            {
                w.WriteBatch([1.0]);
            }

            writer.Close();
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ParquetTableReader.ReadAsync(path, new ColumnBatch(FactorySchemas.Metrics)));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'val' holds Double, expected Single", error.Message, StringComparison.Ordinal);
    }
}
