using System.Globalization;
using System.Text;

namespace Weir.Services.Challenger;

/// <summary>
/// Durations as the Local Challenger prints them: the non-zero components, largest first, with no separators and
/// no padding, e.g. <c>1m9s320ms873µs598ns</c> (µ is U+00B5). A zero duration is <c>0ns</c> (what the original
/// prints for zero is not known).
/// </summary>
internal static class DurationText
{
    private static readonly (long Nanoseconds, string Unit)[] Units =
    [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "\u00B5s"),
        (1, "ns"),
    ];

    public static string Format(long nanoseconds)
    {
        if (nanoseconds <= 0)
        {
            return "0ns";
        }

        var text = new StringBuilder();
        foreach (var (size, unit) in Units)
        {
            var amount = nanoseconds / size;
            if (amount > 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
                nanoseconds -= amount * size;
            }
        }

        return text.ToString();
    }

    /// <summary>Reads the format back (tests, clients that want numbers).</summary>
    public static long Parse(string text)
    {
        long total = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (start == i)
            {
                throw new FormatException($"'{text}' is not a duration");
            }

            var amount = long.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var unit = text[unitStart..i];
            var size = Array.Find(Units, u => u.Unit == unit).Nanoseconds;
            if (size == 0)
            {
                throw new FormatException($"'{text}' has an unknown unit '{unit}'");
            }

            total += amount * size;
        }

        return total;
    }
}
