using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.Fingerprint;
using Weir.Streams;
using Weir.Streams.Testing;

namespace Weir.Fingerprint.Tests;

/// <summary>The job on Weir's engine, stepped deterministically (no threads, no sleeps).</summary>
public sealed class FingerprintJobTests
{
    private const long Minute = 60_000;
    private const long T0 = 1_706_123_400_000; // a minute boundary

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));
    private readonly SensorMessageParser _parser = new();

    [Fact]
    public void A_window_fires_once_the_watermark_passes_its_end_and_holds_the_statistics_of_its_readings()
    {
        var (run, input, output, late) = Start();

        input.Emit(Reading(110, T0 + 1_000, ("0001", 10), ("0002", 1)), T0 + 1_000);
        input.Emit(Reading(110, T0 + 30_000, ("0001", 20), ("0002", null)), T0 + 30_000);
        input.Emit(Reading(111, T0 + 59_999, ("0001", 5)), T0 + 59_999);
        input.Emit(Reading(110, T0 + Minute + 9_000, ("0001", 99)), T0 + Minute + 9_000);
        run.Run();
        Assert.Empty(output.Values); // watermark T0 + 69 s − 10 s − 1 ms: not yet at the window's end − 1

        input.Emit(Reading(111, T0 + Minute + 10_000, ("0001", 1)), T0 + Minute + 10_000);
        run.Run();

        var fired = output.Records.OrderBy(r => r.Value.EquipId, StringComparer.Ordinal).ToList();
        Assert.Equal(2, fired.Count);
        var f110 = fired[0].Value;
        Assert.Equal(("110", "kiln", T0, T0 + Minute), (f110.EquipId, f110.Type, f110.StartMs, f110.EndMs));
        Assert.Equal(FingerprintUuid.For("110", T0, T0 + Minute), f110.Uuid);
        Assert.Equal(["0001", "0002"], f110.Data.Select(d => d.Key));
        Assert.Equal(new SensorStatistics(10, 20, 15, 15, 5), f110.Data[0].Value);
        Assert.Equal(new SensorStatistics(1, 1, 1, 1, 0), f110.Data[1].Value);
        Assert.Equal(T0 + Minute - 1, fired[0].Timestamp);
        Assert.Empty(late.Values);
    }

    [Fact]
    public void Late_readings_go_to_the_late_output_and_do_not_change_the_fired_window()
    {
        var (run, input, output, late) = Start();
        input.Emit(Reading(110, T0 + 1_000, ("0001", 10)), T0 + 1_000);
        input.Emit(Reading(110, T0 + Minute + 15_000, ("0001", 7)), T0 + Minute + 15_000);
        run.Run();
        Assert.Single(output.Values);

        input.Emit(Reading(110, T0 + 58_000, ("0001", 1000)), T0 + 58_000); // its window fired already
        input.Emit(Reading(110, T0 + Minute + 2_000, ("0001", 3)), T0 + Minute + 2_000); // out of order, in time
        run.Run();
        input.EndInput();
        run.Run();

        Assert.Equal(T0 + 58_000, Assert.Single(late.Values).TimestampMs);
        Assert.Equal(2, output.Values.Count);
        Assert.Equal(10, output.Values[0].Data[0].Value.Max);
        Assert.Equal(new SensorStatistics(3, 7, 5, 5, 2), output.Values[1].Data[0].Value);
        Assert.True(run.IsFinished);
    }

    [Fact]
    public void End_of_input_flushes_the_open_windows()
    {
        var (run, input, output, _) = Start();
        input.Emit(Reading(110, T0 + 5_000, ("0001", 1)), T0 + 5_000);
        input.Emit(Reading(112, T0 + (3 * Minute), ("0001", 2)), T0 + (3 * Minute));
        run.Run();
        Assert.Single(output.Values);

        input.EndInput();
        run.Run();

        Assert.Equal([("110", T0), ("112", T0 + (3 * Minute))], output.Values.Select(f => (f.EquipId, f.StartMs)));
    }

    [Fact]
    public void An_idle_partition_stops_holding_event_time_back()
    {
        var (run, input, output, _) = Start();
        input.Emit(Reading(110, T0 + 1_000, ("0001", 1)), T0 + 1_000, split: 0);
        input.Emit(Reading(111, T0 + 2_000, ("0001", 2)), T0 + 2_000, split: 1);
        run.Run();

        // Split 0 keeps delivering (its event time well past the first window); split 1 falls silent.
        for (var second = 1; second <= 32; second++)
        {
            input.Emit(Reading(110, T0 + Minute + 20_000 + (second * 1_000), ("0001", 3)), T0 + Minute + 20_000 + (second * 1_000), split: 0);
            _clock.Advance(TimeSpan.FromSeconds(1));
            run.Run();
            if (second < 30)
            {
                Assert.Empty(output.Values); // split 1 is still at T0 + 2 s and not idle for 30 s yet
            }
        }

        Assert.Equal(["110", "111"], output.Values.Select(f => f.EquipId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Readings_with_only_nulls_make_no_fingerprint_and_all_null_sensors_are_absent()
    {
        var (run, input, output, _) = Start();
        input.Emit(Reading(110, T0 + 1_000, ("0001", null), ("0002", null)), T0 + 1_000);
        input.Emit(Reading(111, T0 + 1_000, ("0001", null), ("0002", 4)), T0 + 1_000);
        input.EndInput();
        run.Run();

        var only = Assert.Single(output.Values);
        Assert.Equal("111", only.EquipId);
        Assert.Equal(["0002"], only.Data.Select(d => d.Key));
    }

    [Fact]
    public void Kafka_event_time_uses_the_record_timestamp_as_the_original_did()
    {
        var (run, input, output, _) = Start(new FingerprintJobOptions { EventTime = EventTimeSource.Kafka });
        input.Emit(Reading(110, T0 + 1_000, ("0001", 1)), T0 + Minute + 1_000); // JSON says minute 0, Kafka says minute 1
        input.EndInput();
        run.Run();

        Assert.Equal(T0 + Minute, Assert.Single(output.Values).StartMs);
    }

    [Fact]
    public void Window_state_survives_a_checkpoint_round_trip()
    {
        var accumulator = new FingerprintAccumulator();
        accumulator.Add("0002", 1.5);
        accumulator.Add("0001", -2);
        accumulator.Add("0002", double.Epsilon);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            FingerprintAccumulatorSerializer.Instance.Write(writer, accumulator);
        }

        buffer.Position = 0;
        using var reader = new BinaryReader(buffer);
        var restored = FingerprintAccumulatorSerializer.Instance.Read(reader);

        Assert.Equal(accumulator.ToFingerprint("1", "kiln", 0, 1).ToJson(), restored.ToFingerprint("1", "kiln", 0, 1).ToJson());
    }

    /// <summary>
    /// Generated readings for many equipment, shuffled within 5 s, then late readings: the fingerprints must be
    /// byte for byte what a Python reimplementation of the original window function writes (statistics module,
    /// json.dumps, uuid5), and every late reading must come out on the late output.
    /// </summary>
    [Fact]
    public async Task Fingerprints_of_generated_out_of_order_input_match_a_python_reference_exactly()
    {
        var generator = new FingerprintGenerator(new FingerprintGeneratorOptions { EquipmentIds = Pipelines.Shared.IdList.Parse("100-119"), Seed = 11, NullProbability = 0.3 });
        var messages = new List<(long Timestamp, byte[] Json)>();
        for (var t = T0 + 500; t < T0 + (6 * Minute); t += 1_000)
        {
            generator.Tick(t, (_, json) => messages.Add((t, json)));
        }

        // Out of order within 5 s (never late with a 10 s bound), plus single-value and all-null windows.
        var random = new Random(2);
        var arrival = messages.Select(m => (Order: m.Timestamp + random.Next(5_000), m)).OrderBy(x => x.Order).Select(x => x.m).ToList();
        arrival.Add((T0 + (7 * Minute) + 1, Json(200, T0 + (7 * Minute) + 1, "\"0001\": 42.5")));
        arrival.Add((T0 + (7 * Minute) + 2, Json(201, T0 + (7 * Minute) + 2, "\"0001\": \"null\"")));
        var lateOnes = Enumerable.Range(0, 30).Select(i => (T0 + (i * 1_000), Json(100 + (i % 3), T0 + (i * 1_000), "\"0001\": 1000.5"))).ToList();

        var (run, input, output, late) = Start();
        foreach (var (timestamp, json) in arrival)
        {
            input.Emit(_parser.Parse(json), timestamp);
        }

        run.Run();
        foreach (var (timestamp, json) in lateOnes)
        {
            input.Emit(_parser.Parse(json), timestamp);
        }

        run.Run();
        input.EndInput();
        run.Run();

        var expected = await Python.RunLinesAsync(FingerprintJobTestsReference.Script, string.Join('\n', arrival.Select(a => Encoding.UTF8.GetString(a.Json))) + "\n");
        var actual = output.Values.Select(f => f.ToJson()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual);
        Assert.Equal(20 * 6 + 1, actual.Count);
        Assert.Equal(lateOnes.Count, late.Values.Count);
    }

    private (JobTestRun Run, TestSource<SensorMessage> Input, CollectSink<FingerprintRecord> Output, CollectSink<SensorMessage> Late) Start(FingerprintJobOptions? options = null)
    {
        options ??= new FingerprintJobOptions();
        var env = StreamEnvironment.Create(new JobOptions { Name = FingerprintJob.JobName, TimeProvider = _clock });
        var input = new TestSource<SensorMessage>();
        var output = new CollectSink<FingerprintRecord>();
        var late = new CollectSink<SensorMessage>();
        var (fingerprints, lateReadings) = FingerprintJob.Build(env.FromSource(input, FingerprintJob.Watermarks(options), "sensor-data"), options);
        fingerprints.SinkTo(output);
        lateReadings.SinkTo(late);
        return (JobTestRun.Start(env), input, output, late);
    }

    private SensorMessage Reading(int equipment, long timestamp, params (string Sensor, double? Value)[] values)
    {
        var data = string.Join(", ", values.Select(v => $"\"{v.Sensor}\": {(v.Value is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "\"null\"")}"));
        return _parser.Parse(Json(equipment, timestamp, data));
    }

    private static byte[] Json(int equipment, long timestamp, string data) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"equip_id\": {equipment}, \"timestamp\": {timestamp}, \"data\": {{{data}}}}}"));
}

/// <summary>The original's window function, in Python, with Weir's deterministic uuid (readings in arrival order on stdin).</summary>
internal static class FingerprintJobTestsReference
{
    public const string Script = """
        import sys, json, statistics, uuid
        ns = uuid.uuid5(uuid.NAMESPACE_URL, "weir:fingerprint")
        windows = {}
        for line in sys.stdin:
            m = json.loads(line)
            start = m["timestamp"] // 60000 * 60000
            key = (str(m["equip_id"]), start)
            for sensor, value in m["data"].items():
                if value != "null":
                    windows.setdefault(key, {}).setdefault(sensor, []).append(float(value))
        for (equip, start), sensors in windows.items():
            data = {}
            for sensor, values in sensors.items():
                data[sensor] = {"min": min(values), "max": max(values), "median": statistics.median(values),
                                "mean": statistics.mean(values), "std_dev": statistics.pstdev(values) if len(values) > 1 else 0.0}
            end = start + 60000
            print(json.dumps({"fingerprint": {"uuid": str(uuid.uuid5(ns, f"{equip}/{start}/{end}")), "equip_id": equip, "type": "kiln",
                                              "start_ms": start, "end_ms": end, "data": data}}))
        """;
}
