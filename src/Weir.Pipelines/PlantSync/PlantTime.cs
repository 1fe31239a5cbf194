using System.Globalization;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// Timestamps of plant images: UTC, microsecond precision (what the original's Python <c>datetime</c> carries),
/// stored as microseconds since the Unix epoch so SQLite and PostgreSQL keep them exactly, and written in JSON as
/// Python's <c>isoformat()</c> does: "2023-10-08T15:39:49.123123".
/// </summary>
internal static class PlantTime
{
    private const string Format = "yyyy-MM-ddTHH:mm:ss.ffffff";

    public static long ToMicros(DateTime time) => (time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);

    public static long NowMicros(TimeProvider time) => ToMicros(time.GetUtcNow().UtcDateTime);

    public static string ToText(long micros) => FromMicros(micros).ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an ISO-8601 timestamp; one without an offset is UTC (the original wrote naive times). Digits beyond
    /// microseconds are dropped.
    /// </summary>
    public static bool TryParse(string text, out long micros)
    {
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            micros = ToMicros(time);
            return true;
        }

        micros = 0;
        return false;
    }
}
