using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Weir.Pipelines.Fingerprint;
using Weir.Testing;
using Xunit.Abstractions;

namespace Weir.Fingerprint.Tests;

/// <summary>
/// The whole pipeline as a user runs it, through Weir's broker: `weir generate fingerprint --backlog`, late
/// readings produced by a real client, `weir run fingerprint --until-end`, `weir run fingerprint-saver --until-end`.
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    private const long Start = 1_706_140_800_000; // 2024-01-25T00:00:00Z
    private const int Hours = 3;
    private const int Equipment = 40;

    [Fact]
    public async Task A_backlog_of_hours_gives_every_window_once_with_pythons_values_and_matching_saved_files()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var data = new TempDirectory("fingerprint-e2e");
        var bootstrap = broker.BootstrapServers;

        await Weir(["generate", "fingerprint", "--bootstrap", bootstrap, "--backlog", $"{Hours}h", "--start", Start.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--equipment", $"1-{Equipment}", "--seed", "7"], data);
        // Late readings: written after hours of newer data, for windows that closed long ago.
        var late = Enumerable.Range(0, 12).Select(i => (Equip: 1 + (i % 3), Time: Start + (i * 61_000) + 500)).ToList();
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            foreach (var (equip, time) in late)
            {
                var json = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{{\"equip_id\": {equip}, \"timestamp\": {time}, \"data\": {{\"0001\": 1234.5, \"0002\": \"null\"}}}}");
                await producer.ProduceAsync("sensor-data", new Message<byte[], byte[]>
                {
                    Key = Encoding.UTF8.GetBytes(equip.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    Value = Encoding.UTF8.GetBytes(json),
                    Timestamp = new Timestamp(time, TimestampType.CreateTime),
                });
            }
        }

        await Weir(["run", "fingerprint", "--bootstrap", bootstrap, "--until-end", "--parallelism", "2"], data);
        await Weir(["run", "fingerprint-saver", "--bootstrap", bootstrap, "--until-end", "--output", data.Combine("out")], data);

        // Every (equipment, window) exactly once after deduplication by uuid.
        var expectedWindows = Equipment * Hours * 60;
        var fingerprints = await TopicRecords.ReadAtLeastAsync(bootstrap, "fingerprint-output", expectedWindows, TimeSpan.FromMinutes(2));
        var byUuid = fingerprints.GroupBy(f => FingerprintRecord.Parse(f.Value).Uuid).ToDictionary(g => g.Key, g => g.First());
        Assert.Equal(expectedWindows, byUuid.Count);
        var records = byUuid.Values.Select(f => FingerprintRecord.Parse(f.Value)).ToList();
        Assert.Equal(expectedWindows, records.Select(r => (r.EquipId, r.StartMs)).Distinct().Count());
        Assert.All(records, r => Assert.Equal(FingerprintUuid.For(r.EquipId, r.StartMs, r.EndMs), r.Uuid));

        // Values: byte for byte what the original's window function computes in Python over the on-time readings.
        var readings = await TopicRecords.ReadAtLeastAsync(bootstrap, "sensor-data", (Equipment * Hours * 3600) + late.Count, TimeSpan.FromMinutes(2));
        var onTime = readings.Take(readings.Count - late.Count).Select(r => r.ValueText).ToList();
        var expected = await Python.RunLinesAsync(FingerprintJobTestsReference.Script, string.Join('\n', onTime) + "\n");
        Assert.Equal(expected.Order(StringComparer.Ordinal), byUuid.Values.Select(f => f.ValueText).Order(StringComparer.Ordinal));

        // Late readings went to fingerprint-late, not into the windows.
        var lateRecords = await TopicRecords.ReadAtLeastAsync(bootstrap, "fingerprint-late", late.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(late.Count, lateRecords.Count);
        Assert.DoesNotContain(records, r => r.Data.Any(d => d.Value.Max == 1234.5));

        // Saved files: one per fingerprint, each with exactly its window's readings, sorted, in Python's layout.
        var files = Directory.GetFiles(data.Combine("out"), "*.json");
        Assert.Equal(expectedWindows, files.Length);
        var readingsByWindow = onTime.Select(json => JsonDocument.Parse(json).RootElement)
            .GroupBy(r => (Equip: r.GetProperty("equip_id").GetRawText(), Start: r.GetProperty("timestamp").GetInt64() / 60_000 * 60_000))
            .ToDictionary(g => g.Key, g => g.Select(r => r.GetProperty("timestamp").GetInt64()).Order().ToList());
        var lateByWindow = late.GroupBy(l => (Equip: l.Equip.ToString(System.Globalization.CultureInfo.InvariantCulture), Start: l.Time / 60_000 * 60_000))
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var record in records)
        {
            var path = Path.Combine(data.Combine("out"), $"{record.Uuid}_{record.StartMs}_{record.EndMs}.json");
            using var file = JsonDocument.Parse(await File.ReadAllBytesAsync(path));
            var sensorData = file.RootElement.GetProperty("sensor_data");
            var times = sensorData.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("timestamp").GetInt64()).ToList();
            Assert.Equal(readingsByWindow[(record.EquipId, record.StartMs)], times);
            Assert.Equal(times.Count, sensorData.GetProperty("reading_count").GetInt32());
            Assert.Equal(record.Uuid, file.RootElement.GetProperty("fingerprint").GetProperty("uuid").GetString());
            var lateCount = sensorData.TryGetProperty("late_readings", out var lateReadings) ? lateReadings.GetArrayLength() : 0;
            Assert.Equal(lateByWindow.GetValueOrDefault((record.EquipId, record.StartMs)), lateCount);
        }

        var sample = files[0];
        var pythonLayout = await Python.RunLinesAsync("import sys, json\nt = open(sys.stdin.readline().strip()).read()\nprint(json.dumps(json.loads(t), indent=2) == t)", sample + "\n");
        Assert.Equal("True", Assert.Single(pythonLayout));
        output.WriteLine($"{readings.Count} readings, {byUuid.Count} fingerprints ({fingerprints.Count} records), {files.Length} files");
    }

    private async Task Weir(string[] arguments, TempDirectory data)
    {
        var result = await WeirCli.RunAsync([.. arguments, "--data-root", data.Path], TimeSpan.FromMinutes(5));
        output.WriteLine($"weir {string.Join(' ', arguments.Take(2))}: {result.StandardOutput.Trim()}");
        Assert.True(result.ExitCode == 0, result.Describe());
    }
}
