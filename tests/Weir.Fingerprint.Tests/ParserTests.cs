using System.Text;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Shared;

namespace Weir.Fingerprint.Tests;

public sealed class ParserTests
{
    [Fact]
    public void Numbers_numeric_strings_and_null_readings_parse_as_the_original_accepted_them()
    {
        var message = new SensorMessageParser().Parse(
            """{"equip_id": 110, "timestamp": 1706123456789, "data": {"0001": "45.234", "0002": 67.891, "0003": "null", "0004": " 1e2 ", "0005": null}}"""u8);

        Assert.Equal("110", message.EquipId);
        Assert.Equal(1_706_123_456_789, message.TimestampMs);
        Assert.Equal([new("0001", 45.234), new("0002", 67.891), new("0004", 100)], message.Values);
    }

    [Fact]
    public void String_equipment_ids_and_missing_timestamps_are_kept()
    {
        var message = new SensorMessageParser().Parse("""{"data": {"T1": 1}, "equip_id": "SCL_LINE_2_KILN", "extra": [1, {"a": 2}]}"""u8);

        Assert.Equal("SCL_LINE_2_KILN", message.EquipId);
        Assert.Null(message.TimestampMs);
    }

    [Fact]
    public void The_float32_option_reproduces_the_originals_artefacts()
    {
        var message = new SensorMessageParser(float32Values: true).Parse("""{"equip_id": 1, "timestamp": 0, "data": {"0001": 1.09}}"""u8);

        Assert.Equal("1.090000033378601", PythonJson.Float(message.Values[0].Value));
    }

    [Theory]
    [InlineData("""{"equip_id": 110, "timestamp": 1, "data": {"0001": "abc"}}""", "sensor '0001': 'abc' is not a number")]
    [InlineData("""{"equip_id": 110, "timestamp": 1, "data": {"0001": "nan"}}""", "sensor '0001': NaN is not a finite number")]
    [InlineData("""{"equip_id": 110, "timestamp": 1, "data": {"0001": true}}""", "sensor '0001': a value is a number")]
    [InlineData("""{"timestamp": 1, "data": {}}""", "equip_id is missing")]
    [InlineData("""{"equip_id": 110, "timestamp": 1}""", "data is missing")]
    [InlineData("""{"equip_id": null, "data": {}}""", "equip_id must be a number or a non-empty string")]
    [InlineData("""{"equip_id": 1, "timestamp": "yesterday", "data": {}}""", "timestamp must be epoch milliseconds")]
    [InlineData("""[1, 2]""", "a reading is a JSON object")]
    [InlineData("""{"equip_id": 1, "data": {""", "not JSON")]
    public void Bad_messages_are_rejected_whole_with_a_reason(string json, string reason)
    {
        var error = Assert.Throws<InvalidReadingException>(() => new SensorMessageParser().Parse(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_ids_are_interned()
    {
        var parser = new SensorMessageParser();
        var a = parser.Parse("""{"equip_id": 110, "data": {"0001": 1}}"""u8);
        var b = parser.Parse("""{"equip_id": 110, "data": {"0001": 2}}"""u8);

        Assert.Same(a.EquipId, b.EquipId);
        Assert.Same(a.Values[0].SensorId, b.Values[0].SensorId);
    }
}
