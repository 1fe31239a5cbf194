using System.Globalization;

namespace Weir.Pipelines.Shared;

/// <summary>
/// Id lists as users write them: "110-114" (a range, zero padding kept: "0001-0025"), "110,111,SCL_LINE_2_KILN",
/// or both ("1-3,7").
/// </summary>
internal static class IdList
{
    public const int MaxIds = 10_000_000;

    public static List<string> Parse(string text)
    {
        var ids = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1);
            if (dash > 0
                && long.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && long.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                if (to < from || to - from >= MaxIds)
                {
                    throw new FormatException($"'{part}' is not a usable range (from ≤ to, at most {MaxIds} ids)");
                }

                var width = dash; // "0001-0025" keeps four digits
                for (var id = from; id <= to; id++)
                {
                    ids.Add(id.ToString(CultureInfo.InvariantCulture).PadLeft(part[0] == '0' ? width : 0, '0'));
                }
            }
            else
            {
                ids.Add(part);
            }
        }

        if (ids.Count == 0)
        {
            throw new FormatException($"'{text}' names no ids");
        }

        if (ids.Count > MaxIds)
        {
            throw new FormatException($"'{text}' names more than {MaxIds} ids");
        }

        return ids;
    }
}
