namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>
/// An anchor that stops sending (data and heartbeats) <see cref="FromMs"/> after the simulation starts, and
/// comes back at <see cref="UntilMs"/> if given. Written <c>A2@30s</c> or <c>A2@30s-90s</c>.
/// </summary>
internal readonly record struct AnchorOutage(string AnchorId, long FromMs, long? UntilMs)
{
    public bool IsDown(long offsetMs) => offsetMs >= FromMs && (UntilMs is not { } until || offsetMs < until);

    public static AnchorOutage Parse(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == text.Length - 1)
        {
            throw new FormatException($"'{text}' is not ANCHOR@TIME or ANCHOR@FROM-UNTIL (e.g. A2@30s, A2@30s-90s)");
        }

        var span = text[(at + 1)..];
        var dash = span.IndexOf('-', StringComparison.Ordinal);
        var from = ParseDuration(dash < 0 ? span : span[..dash], text);
        long? until = dash < 0 ? null : ParseDuration(span[(dash + 1)..], text);
        if (until <= from)
        {
            throw new FormatException($"'{text}': the anchor must come back after it dies");
        }

        return new AnchorOutage(text[..at], from, until);
    }

    private static long ParseDuration(string text, string context)
    {
        try
        {
            return Shared.Durations.ParseMs(text);
        }
        catch (FormatException error)
        {
            throw new FormatException($"'{context}': {error.Message}", error);
        }
    }
}
