using System.Globalization;
using System.Text.Json;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// One equipment's summary of one window: the original's record on <c>fingerprint-output</c>,
/// <c>{"fingerprint": {"uuid", "equip_id", "type", "start_ms", "end_ms", "data": {sensor: {min, max, median, mean, std_dev}}}}</c>,
/// written byte for byte as the original's json.dumps wrote it (uuid aside: Weir's is deterministic).
/// </summary>
internal sealed record FingerprintRecord(
    string Uuid,
    string EquipId,
    string Type,
    long StartMs,
    long EndMs,
    IReadOnlyList<KeyValuePair<string, SensorStatistics>> Data)
{
    public string ToJson()
    {
        var json = new StringBuilder(128 + (Data.Count * 140));
        json.Append("{\"fingerprint\": {\"uuid\": ");
        PythonJson.String(json, Uuid);
        json.Append(", \"equip_id\": ");
        PythonJson.String(json, EquipId);
        json.Append(", \"type\": ");
        PythonJson.String(json, Type);
        json.Append(CultureInfo.InvariantCulture, $", \"start_ms\": {StartMs}, \"end_ms\": {EndMs}, \"data\": {{");
        for (var i = 0; i < Data.Count; i++)
        {
            var (sensor, s) = Data[i];
            if (i > 0)
            {
                json.Append(", ");
            }

            PythonJson.String(json, sensor);
            json.Append(": {\"min\": ").Append(PythonJson.Float(s.Min))
                .Append(", \"max\": ").Append(PythonJson.Float(s.Max))
                .Append(", \"median\": ").Append(PythonJson.Float(s.Median))
                .Append(", \"mean\": ").Append(PythonJson.Float(s.Mean))
                .Append(", \"std_dev\": ").Append(PythonJson.Float(s.StdDev)).Append('}');
        }

        return json.Append("}}}").ToString();
    }

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(ToJson());

    /// <summary>Reads a fingerprint record back (the saver, tests).</summary>
    public static FingerprintRecord Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement.GetProperty("fingerprint");
        var data = new List<KeyValuePair<string, SensorStatistics>>();
        if (root.TryGetProperty("data", out var sensors))
        {
            foreach (var sensor in sensors.EnumerateObject())
            {
                var s = sensor.Value;
                data.Add(new(sensor.Name, new SensorStatistics(
                    s.GetProperty("min").GetDouble(), s.GetProperty("max").GetDouble(), s.GetProperty("median").GetDouble(),
                    s.GetProperty("mean").GetDouble(), s.GetProperty("std_dev").GetDouble())));
            }
        }

        var equip = root.GetProperty("equip_id");
        return new FingerprintRecord(
            root.GetProperty("uuid").GetString() ?? "",
            equip.ValueKind == JsonValueKind.String ? equip.GetString()! : equip.GetRawText(),
            root.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
            root.GetProperty("start_ms").GetInt64(),
            root.GetProperty("end_ms").GetInt64(),
            data);
    }
}
