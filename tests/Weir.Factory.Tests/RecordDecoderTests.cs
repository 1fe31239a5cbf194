using System.Text;
using Weir.Connectors.Parquet;
using Weir.Pipelines.Factory;

namespace Weir.Factory.Tests;

public sealed class RecordDecoderTests
{
    private static readonly DateTime Epoch = DateTime.UnixEpoch;

    [Fact]
    public void Valid_records_become_typed_rows_and_unknown_fields_are_ignored()
    {
        var batch = new ColumnBatch(FactorySchemas.Metrics, capacity: 1);
        var decoder = new JsonRecordDecoder(FactorySchemas.Metrics);

        Assert.True(decoder.TryAppend("""{"id": 19, "val": 797.3838872696809, "time": 1624377478}"""u8, batch, out var e1), e1);
        Assert.True(decoder.TryAppend("""{"time": 1.5, "extra": {"deep": [1, 2]}, "val": -3, "id": -7}"""u8, batch, out var e2), e2);
        Assert.True(decoder.TryAppend("""{"id": 0, "val": 1e3, "time": "2021-06-22T15:57:58Z"}"""u8, batch, out var e3), e3);
        Assert.True(decoder.TryAppend("""{"id": 1, "val": 0, "time": "2021-06-22T17:57:58+02:00"}"""u8, batch, out var e4), e4);

        Assert.Equal(4, batch.Count);
        Assert.Equal([19, -7, 0, 1], batch.Int32s(0).ToArray());
        Assert.Equal([797.3838872696809f, -3f, 1000f, 0f], batch.Float32s(1).ToArray());
        Assert.Equal(
            [Epoch.AddSeconds(1624377478), Epoch.AddSeconds(1.5), Epoch.AddSeconds(1624377478), Epoch.AddSeconds(1624377478)],
            batch.Timestamps(2).ToArray());
        Assert.All(batch.Timestamps(2).ToArray(), t => Assert.Equal(DateTimeKind.Utc, t.Kind));
    }

    [Theory]
    [InlineData("""{"id": 1, "val": 2}""", "field 'time' missing")]
    [InlineData("""{"val": 2}""", "field 'id', 'time' missing")]
    [InlineData("""{"id": "19", "val": 2, "time": 1}""", "field 'id' must be an integer in int32 range, got string \"19\"")]
    [InlineData("""{"id": 19.5, "val": 2, "time": 1}""", "field 'id' must be an integer in int32 range, got number 19.5")]
    [InlineData("""{"id": 3000000000, "val": 2, "time": 1}""", "field 'id' must be an integer in int32 range, got number 3000000000")]
    [InlineData("""{"id": null, "val": 2, "time": 1}""", "field 'id' must be an integer in int32 range, got null")]
    [InlineData("""{"id": 1, "val": 1e39, "time": 1}""", "field 'val' must be a number within float32 range, got number 1e39")]
    [InlineData("""{"id": 1, "val": [2], "time": 1}""", "field 'val' must be a number within float32 range, got an array")]
    [InlineData("""{"id": 1, "val": 2, "time": true}""", "field 'time' must be a timestamp (seconds since the Unix epoch, or ISO 8601 text), got a boolean")]
    [InlineData("""{"id": 1, "val": 2, "time": "yesterday"}""", "field 'time' must be a timestamp (seconds since the Unix epoch, or ISO 8601 text), got string \"yesterday\"")]
    [InlineData("""{"id": 1, "val": 2, "time": 1e300}""", "field 'time' must be a timestamp (seconds since the Unix epoch, or ISO 8601 text), got number 1e300")]
    [InlineData("""{"id": 1, "id": 2, "val": 2, "time": 1}""", "field 'id' appears twice")]
    [InlineData("""[1, 2]""", "not a JSON object (starts with an array)")]
    [InlineData("""19""", "not a JSON object (starts with number)")]
    [InlineData("", "empty record")]
    public void Invalid_records_are_refused_with_a_reason_and_leave_the_batch_alone(string json, string reason)
    {
        var batch = new ColumnBatch(FactorySchemas.Metrics);
        var decoder = new JsonRecordDecoder(FactorySchemas.Metrics);
        Assert.True(decoder.TryAppend("""{"id": 5, "val": 5, "time": 5}"""u8, batch, out _));

        Assert.False(decoder.TryAppend(Encoding.UTF8.GetBytes(json), batch, out var error));

        Assert.Equal(reason, error);
        Assert.Equal(1, batch.Count);
        Assert.Equal(5, batch.Int32s(0)[0]);
    }

    [Theory]
    [InlineData("""{"id": 1, "val": 2, "time": 3""")]
    [InlineData("""{"id": 1, "val": 2, "time": 3} {"id": 1}""")]
    [InlineData("""not json""")]
    [InlineData("""{"id": 1, "val": 2, "time": 3}}""")]
    public void Malformed_json_is_refused_as_such(string json)
    {
        var batch = new ColumnBatch(FactorySchemas.WorkOrder);

        Assert.False(new JsonRecordDecoder(FactorySchemas.WorkOrder).TryAppend(Encoding.UTF8.GetBytes(json), batch, out var error));

        Assert.StartsWith("not valid JSON: ", error, StringComparison.Ordinal);
        Assert.Equal(0, batch.Count);
    }
}
