using System.Globalization;
using System.Text;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Shared;

namespace Weir.Fingerprint.Tests;

public sealed class RecordFormatTests
{
    [Fact]
    public async Task Float_repr_matches_python_for_random_doubles_and_the_layout_edges()
    {
        var random = new Random(5);
        var values = new List<double> { 1.0, 100.0, 0.1, 1e16, 1e15, 9999999999999998.0, 0.0001, 0.00001, 1e-5, 1.5e-7, 123456789.0, 1e22, 1e-320, double.MaxValue, -2.5, 1.090000033378601, 45.234 };
        for (var i = 0; i < 3_000; i++)
        {
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF) * (i % 2 == 0 ? 1 : -1));
            values.Add(Math.Round(random.NextDouble() * 100, 3));
            values.Add((float)(random.NextDouble() * 100));
            values.Add(random.NextDouble() * Math.Pow(10, random.Next(-8, 20)));
        }

        var lines = await Python.RunLinesAsync("import sys\nfor line in sys.stdin: print(repr(float(line)))",
            string.Join('\n', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "\n");

        Assert.Equal(values.Count, lines.Length);
        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(lines[i], PythonJson.Float(values[i]));
        }
    }

    [Fact]
    public async Task The_uuid_is_pythons_uuid5_of_equipment_and_window()
    {
        var cases = new[] { ("110", 1_706_123_400_000L, 1_706_123_460_000L), ("SCL_LINE_2_KILN", 0L, 60_000L), ("Öfen 7", 60_000L, 120_000L) };

        var lines = await Python.RunLinesAsync("""
            import sys, uuid
            ns = uuid.uuid5(uuid.NAMESPACE_URL, "weir:fingerprint")
            for line in sys.stdin:
                equip, start, end = line.rstrip("\n").split("\t")
                print(uuid.uuid5(ns, f"{equip}/{start}/{end}"))
            """, string.Concat(cases.Select(c => $"{c.Item1}\t{c.Item2}\t{c.Item3}\n")));

        Assert.Equal(cases.Select(c => FingerprintUuid.For(c.Item1, c.Item2, c.Item3)), lines);
        Assert.Equal(FingerprintUuid.For("110", 0, 60_000), FingerprintUuid.For("110", 0, 60_000));
        Assert.NotEqual(FingerprintUuid.For("110", 0, 60_000), FingerprintUuid.For("111", 0, 60_000));
    }

    [Fact]
    public async Task The_record_is_byte_for_byte_what_pythons_json_dumps_writes()
    {
        var accumulator = new FingerprintAccumulator();
        accumulator.Add("0005", 1.090000033378601);
        accumulator.Add("0004", 3);
        accumulator.Add("0005", 2.5);
        accumulator.Add("0004", 1e-7);
        accumulator.Add("sensor \"é\"\n", 42);
        var record = accumulator.ToFingerprint("110", "kiln", 1_706_123_400_000, 1_706_123_460_000);
        var json = record.ToJson();

        var lines = await Python.RunLinesAsync("import sys, json\nfor line in sys.stdin: print(json.dumps(json.loads(line)))", json + "\n");

        Assert.Equal(json, Assert.Single(lines));
        Assert.StartsWith("{\"fingerprint\": {\"uuid\": \"" + FingerprintUuid.For("110", 1_706_123_400_000, 1_706_123_460_000) + "\", \"equip_id\": \"110\", \"type\": \"kiln\", \"start_ms\": 1706123400000, \"end_ms\": 1706123460000, \"data\": {\"0005\": {\"min\": 1.090000033378601, \"max\": 2.5, \"median\": 1.7950000166893005, ", json, StringComparison.Ordinal);
        var parsed = FingerprintRecord.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(record.Uuid, parsed.Uuid);
        Assert.Equal(record.Data.Select(d => d.Key), parsed.Data.Select(d => d.Key));
        Assert.Equal(record.Data.Select(d => d.Value), parsed.Data.Select(d => d.Value));
    }

    [Fact]
    public void Sensors_keep_their_order_of_first_appearance_and_all_null_sensors_are_absent()
    {
        var parser = new SensorMessageParser();
        var accumulator = new FingerprintAccumulator();
        accumulator.Add(parser.Parse("""{"equip_id": 110, "timestamp": 1, "data": {"0005": 1.5, "0003": "null", "0001": "2.25"}}"""u8));
        accumulator.Add(parser.Parse("""{"equip_id": 110, "timestamp": 2, "data": {"0001": 4, "0003": null, "0002": "null", "0004": 7}}"""u8));

        var record = accumulator.ToFingerprint("110", "kiln", 0, 60_000);

        Assert.Equal(["0005", "0001", "0004"], record.Data.Select(d => d.Key));
        Assert.Equal(new SensorStatistics(2.25, 4, 3.125, 3.125, 0.875), record.Data[1].Value);
        Assert.Equal(new SensorStatistics(1.5, 1.5, 1.5, 1.5, 0.0), record.Data[0].Value);
    }
}
