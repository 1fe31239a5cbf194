using System.Globalization;
using System.Text.Json;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>A raw reading as the saver keeps it: where it came from and its bytes.</summary>
internal sealed record SaverReading(string EquipId, long TimestampMs, int Partition, long Offset, byte[] Raw);

/// <summary>
/// The saver's file <c>{uuid}_{start_ms}_{end_ms}.json</c>, as the original's save_fingerprints.py wrote it
/// (json.dump with indent=2): the whole fingerprint, then sensor_data with the equipment, the window (ms and
/// ISO-8601), the readings of the window sorted by timestamp and their count. Weir adds late_readings: readings
/// of the window that arrived after it closed (the job sent them to fingerprint-late), so none is lost.
/// </summary>
internal static class SaverFile
{
    public static string Name(FingerprintRecord fingerprint) => $"{fingerprint.Uuid}_{fingerprint.StartMs}_{fingerprint.EndMs}.json";

    public static string Render(JsonElement fingerprint, string equipId, long startMs, long endMs, IEnumerable<byte[]> readings, IEnumerable<byte[]> lateReadings)
    {
        var json = new StringBuilder(4096);
        json.Append("{\n  \"fingerprint\": ");
        PythonJson.Indented(json, fingerprint, 1);
        json.Append(",\n  \"sensor_data\": {\n    \"equip_id\": ");
        if (long.TryParse(equipId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number.ToString(CultureInfo.InvariantCulture) == equipId)
        {
            json.Append(equipId); // the original wrote int(equip_id)
        }
        else
        {
            PythonJson.String(json, equipId);
        }

        json.Append(CultureInfo.InvariantCulture, $",\n    \"window\": {{\n      \"start_ms\": {startMs},\n      \"end_ms\": {endMs},\n      \"start_time\": \"{IsoTime(startMs)}\",\n      \"end_time\": \"{IsoTime(endMs)}\"\n    }},\n    \"readings\": ");
        var count = AppendReadings(json, readings);
        json.Append(CultureInfo.InvariantCulture, $",\n    \"reading_count\": {count}");
        var late = lateReadings.ToList();
        if (late.Count > 0)
        {
            json.Append(",\n    \"late_readings\": ");
            AppendReadings(json, late);
        }

        return json.Append("\n  }\n}").ToString();
    }

    /// <summary>Python's datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().</summary>
    public static string IsoTime(long ms)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return time.ToString(ms % 1000 == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00:00";
    }

    /// <summary>The readings and late readings already in a file (to add a late one and write it again).</summary>
    public static (JsonElement Fingerprint, List<byte[]> Readings, List<byte[]> Late) Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var data = root.GetProperty("sensor_data");
        static List<byte[]> Raw(JsonElement array) => array.EnumerateArray().Select(r => Encoding.UTF8.GetBytes(r.GetRawText())).ToList();
        return (root.GetProperty("fingerprint").Clone(), Raw(data.GetProperty("readings")),
            data.TryGetProperty("late_readings", out var late) ? Raw(late) : []);
    }

    private static int AppendReadings(StringBuilder json, IEnumerable<byte[]> readings)
    {
        var count = 0;
        foreach (var raw in readings)
        {
            json.Append(count == 0 ? "[\n      " : ",\n      ");
            using var reading = JsonDocument.Parse(raw);
            PythonJson.Indented(json, reading.RootElement, 3);
            count++;
        }

        json.Append(count == 0 ? "[]" : "\n    ]");
        return count;
    }
}
