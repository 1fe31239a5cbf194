using System.Text.Json;
using System.Text;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Shared;
using Weir.Testing;

namespace Weir.Fingerprint.Tests;

public sealed class GeneratorTests
{
    [Fact]
    public void Messages_have_the_originals_shape_values_and_null_rate()
    {
        var generator = new FingerprintGenerator(new FingerprintGeneratorOptions { Seed = 3 });
        var parser = new SensorMessageParser();
        var messages = new List<(string Key, string Json)>();
        for (var tick = 0; tick < 2_000; tick++)
        {
            generator.Tick(1_706_123_456_000 + (tick * 1000L), (key, value) => messages.Add((Encoding.UTF8.GetString(key), Encoding.UTF8.GetString(value))));
        }

        Assert.Equal(10_000, messages.Count);
        Assert.Equal(["110", "111", "112", "113", "114"], messages.Take(5).Select(m => m.Key));
        Assert.StartsWith("{\"equip_id\": 110, \"timestamp\": 1706123456000, \"data\": {\"0001\": ", messages[0].Json, StringComparison.Ordinal);
        long values = 0, nulls = 0;
        foreach (var (key, json) in messages)
        {
            using var document = JsonDocument.Parse(json);
            Assert.Equal(key, document.RootElement.GetProperty("equip_id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var sensor in document.RootElement.GetProperty("data").EnumerateObject())
            {
                if (sensor.Value.ValueKind == JsonValueKind.String)
                {
                    Assert.Equal("null", sensor.Value.GetString());
                    nulls++;
                    continue;
                }

                // round(uniform(0, 100), 3), printed as Python prints that float.
                var value = sensor.Value.GetDouble();
                Assert.InRange(value, 0, 100);
                Assert.Equal(Math.Round(value, 3), value);
                Assert.Equal(PythonJson.Float(value), sensor.Value.GetRawText());
                values++;
            }

            Assert.Equal(5, document.RootElement.GetProperty("data").EnumerateObject().Count());
            Assert.Equal(parser.Parse(Encoding.UTF8.GetBytes(json)).Values.Length, document.RootElement.GetProperty("data").EnumerateObject().Count(s => s.Value.ValueKind == JsonValueKind.Number));
        }

        // 50,000 draws at p = 0.15: the rate is within ±0.01 with overwhelming probability (σ ≈ 0.0016).
        Assert.InRange(nulls / (double)(values + nulls), 0.14, 0.16);
        Assert.Equal(generator.Nulls, nulls);
    }

    [Fact]
    public void String_values_and_custom_ids_follow_the_options()
    {
        var generator = new FingerprintGenerator(new FingerprintGeneratorOptions
        {
            EquipmentIds = Pipelines.Shared.IdList.Parse("KILN_2,7"), SensorIds = Pipelines.Shared.IdList.Parse("001-003"), NullProbability = 0, StringValues = true,
        });
        var messages = new List<string>();

        generator.Tick(5, (_, value) => messages.Add(Encoding.UTF8.GetString(value)));

        Assert.StartsWith("{\"equip_id\": \"KILN_2\", \"timestamp\": 5, \"data\": {\"001\": \"", messages[0], StringComparison.Ordinal);
        Assert.StartsWith("{\"equip_id\": 7, ", messages[1], StringComparison.Ordinal);
        var parsed = new SensorMessageParser().Parse(Encoding.UTF8.GetBytes(messages[0]));
        Assert.Equal(["001", "002", "003"], parsed.Values.Select(v => v.SensorId));
    }

    [Fact]
    public void The_same_seed_gives_the_same_messages()
    {
        static List<string> Run(int seed)
        {
            var generator = new FingerprintGenerator(new FingerprintGeneratorOptions { Seed = seed });
            var messages = new List<string>();
            for (var t = 0; t < 10; t++)
            {
                generator.Tick(t, (_, value) => messages.Add(Encoding.UTF8.GetString(value)));
            }

            return messages;
        }

        Assert.Equal(Run(9), Run(9));
        Assert.NotEqual(Run(9), Run(10));
    }

    [Fact]
    public async Task Weir_generate_fingerprint_backlog_publishes_every_tick_to_the_broker()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        var result = await WeirCli.RunAsync(
            ["generate", "fingerprint", "--bootstrap", broker.BootstrapServers, "--backlog", "10m", "--start", "2024-01-24T19:00:00Z", "--equipment", "1-20", "--sensors", "0001-0025"],
            TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.Describe());
        var records = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, "sensor-data", 12_000, TimeSpan.FromMinutes(1));
        Assert.Equal(12_000, records.Count);
        var start = DateTimeOffset.Parse("2024-01-24T19:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var parser = new SensorMessageParser();
        foreach (var record in records)
        {
            var message = parser.Parse(record.Value);
            Assert.Equal(record.KeyText, message.EquipId);
            Assert.Equal(record.Timestamp, message.TimestampMs);
        }

        var timestamps = records.Select(r => r.Timestamp).Distinct().Order().ToList();
        Assert.Equal(600, timestamps.Count);
        Assert.Equal(start, timestamps[0]);
        Assert.All(timestamps.Zip(timestamps.Skip(1)), pair => Assert.Equal(1000, pair.Second - pair.First));
        Assert.Contains("12000 messages", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--equipment", "9-1", "is not a usable range")]
    [InlineData("--null-probability", "1.5", "null probability must be between 0 and 1")]
    [InlineData("--backlog", "soon", "is not a duration")]
    public async Task Bad_options_are_one_line_errors(string option, string value, string message)
    {
        var result = await WeirCli.RunAsync(["generate", "fingerprint", option, value, "--bootstrap", "127.0.0.1:1"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }
}
