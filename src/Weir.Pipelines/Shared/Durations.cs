using System.Globalization;

namespace Weir.Pipelines.Shared;

/// <summary>Durations as users type them: "90s", "1500ms", "2m", "6h", "1d", or plain seconds.</summary>
internal static class Durations
{
    public static long ParseMs(string text)
    {
        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (trimmed[..^2], 1L)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1000L)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60_000L)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3_600_000L)
            : trimmed.EndsWith('d') ? (trimmed[..^1], 86_400_000L)
            : (trimmed, 1000L);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? (long)Math.Round(value * unit)
            : throw new FormatException($"'{text}' is not a duration (e.g. 30s, 1500ms, 2m, 6h)");
    }

    /// <summary>An instant: epoch milliseconds or an ISO-8601 date and time (UTC unless it says otherwise).</summary>
    public static long ParseInstantMs(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant.ToUnixTimeMilliseconds()
        : throw new FormatException($"'{text}' is neither epoch milliseconds nor an ISO-8601 time");
}
