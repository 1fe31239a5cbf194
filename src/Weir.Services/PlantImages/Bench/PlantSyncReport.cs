using System.Globalization;
using System.Text;

namespace Weir.Services.PlantImages.Bench;

/// <summary>Writes the benchmark's report: <c>report.md</c> (figures, machine, command) and <c>report.svg</c> (the chart).</summary>
internal static class PlantSyncReport
{
    private const string StreamColour = "#1f77b4";
    private const string BatchColour = "#ff7f0e";

    public static (string Markdown, string Chart) Write(string folder, IReadOnlyList<ApplyResult> apply, ComparisonResult? comparison, string command)
    {
        Directory.CreateDirectory(folder);
        var markdown = Path.Combine(folder, "report.md");
        var chart = Path.Combine(folder, "report.svg");
        File.WriteAllText(markdown, Markdown(apply, comparison, command));
        File.WriteAllText(chart, Svg(apply, comparison));
        return (markdown, chart);
    }

    public static string Markdown(IReadOnlyList<ApplyResult> apply, ComparisonResult? comparison, string command)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Plant-image sync: streaming against the {comparison?.BatchInterval.TotalSeconds ?? 600:0} s batch job\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Command: `{command}`  \nMachine: {Machine()}  \nChart: report.svg\n\n");
        if (apply.Count > 0)
        {
            text.Append("## Changes the consumer applies per second (backlog in Kafka, consumer from scratch)\n\n");
            text.Append("| database | mode | records | seconds | changes/s | vs one record per transaction |\n|---|---|---:|---:|---:|---:|\n");
            foreach (var result in apply)
            {
                var baseline = apply.FirstOrDefault(r => r.Backend == result.Backend && r.Mode.StartsWith("one record", StringComparison.Ordinal));
                var ratio = baseline is null ? "" : $"{result.PerSecond / baseline.PerSecond:0.0}x";
                text.Append(CultureInfo.InvariantCulture, $"| {result.Backend} | {result.Mode} | {result.Records} | {result.Seconds:0.00} | {result.PerSecond:0} | {ratio} |\n");
            }

            text.Append('\n');
        }

        if (comparison is { } c)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"## One workload, two ways to sync ({c.Duration.TotalSeconds:0} s at about {c.ChangesPerSecondTarget:0.#} changes/s; batch every {c.BatchInterval.TotalSeconds:0} s)\n\n");
            text.Append("| | streaming (Kafka) | batch job | stream / batch |\n|---|---:|---:|---:|\n");
            text.Append(CultureInfo.InvariantCulture, $"| changes made | {c.Changes} | {c.Changes} | |\n");
            text.Append(CultureInfo.InvariantCulture, $"| records moved | {c.StreamRecords} | {c.BatchRecords} ({c.BatchRuns} runs) | {Ratio(c.StreamRecords, c.BatchRecords)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| bytes moved, as stored (image + metadata) | {Mb(c.StreamStoredBytes)} | {Mb(c.BatchStoredBytes)} | {Ratio(c.StreamStoredBytes, c.BatchStoredBytes)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| bytes on the wire (Kafka key + JSON value, image in hex) | {Mb(c.StreamWireBytes)} | | {Ratio(c.StreamWireBytes, c.BatchStoredBytes)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| staleness p50 | {Seconds(c.StreamStaleness.P50)} | {Seconds(c.BatchStaleness.P50)} | {Ratio(c.StreamStaleness.P50, c.BatchStaleness.P50)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| staleness p99 | {Seconds(c.StreamStaleness.P99)} | {Seconds(c.BatchStaleness.P99)} | {Ratio(c.StreamStaleness.P99, c.BatchStaleness.P99)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| staleness max | {Seconds(c.StreamStaleness.Max)} | {Seconds(c.BatchStaleness.Max)} | {Ratio(c.StreamStaleness.Max, c.BatchStaleness.Max)} |\n");
            text.Append(CultureInfo.InvariantCulture, $"| changes never visible | {c.StreamNotVisible} | {c.BatchNotVisible} | |\n");
            text.Append(CultureInfo.InvariantCulture, $"| consumer database equals producer at the end | {(c.StreamEqual ? "yes" : "NO")} | {(c.BatchEqual ? "yes" : "NO")} | |\n\n");
            text.Append("Staleness is measured per change: from the producer's `updated_at` to the commit that made that version, ")
                .Append("or a newer one, visible in the consumer database. The batch job copies only each record's latest version, ")
                .Append("so it moves fewer records than changes when records change more than once between runs, and every change waits ")
                .Append("for the next run. The stream moves every version, as the whole record with the image hex-encoded (about twice ")
                .Append("the stored bytes on the wire).\n");
        }

        return text.ToString();
    }

    public static string Svg(IReadOnlyList<ApplyResult> apply, ComparisonResult? comparison)
    {
        const int Width = 1260, Height = 480;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        if (comparison is { } c)
        {
            StalenessPanel(svg, c, 60, 40, 480, 320);
            VolumePanel(svg, c, 620, 40, 260, 320);
        }

        if (apply.Count > 0)
        {
            ApplyPanel(svg, apply, 960, 40, 260, 320);
        }

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>Share of changes visible within x seconds (log scale), stream against batch.</summary>
    private static void StalenessPanel(StringBuilder svg, ComparisonResult c, int x, int y, int w, int h)
    {
        var all = c.StreamSamples.Concat(c.BatchSamples).Where(v => v > 0).ToList();
        var low = Math.Floor(Math.Log10(Math.Max(1e-3, all.Count > 0 ? all.Min() : 1e-3)));
        var high = Math.Ceiling(Math.Log10(Math.Max(1, all.Count > 0 ? all.Max() : 1)));
        double X(double seconds) => x + (w * (Math.Log10(Math.Max(seconds, Math.Pow(10, low))) - low) / (high - low));
        double Y(double share) => y + h - (h * share);
        Title(svg, x, y, "Staleness per change: share visible in the consumer within t");
        Axes(svg, x, y, w, h);
        for (var e = low; e <= high; e++)
        {
            var px = X(Math.Pow(10, e));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{px:0.#}\" y1=\"{y}\" x2=\"{px:0.#}\" y2=\"{y + h}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{px:0.#}\" y=\"{y + h + 16}\" text-anchor=\"middle\">{FormatSeconds(Math.Pow(10, e))}</text>\n");
        }

        for (var share = 0.0; share <= 1.0001; share += 0.25)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"{Y(share):0.#}\" x2=\"{x + w}\" y2=\"{Y(share):0.#}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x - 6}\" y=\"{Y(share) + 4:0.#}\" text-anchor=\"end\">{share * 100:0}%</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (w / 2)}\" y=\"{y + h + 34}\" text-anchor=\"middle\">t (seconds, log scale)</text>\n");
        foreach (var (samples, colour, name, stats) in new[] { (c.StreamSamples, StreamColour, "streaming", c.StreamStaleness), (c.BatchSamples, BatchColour, "batch", c.BatchStaleness) })
        {
            if (samples.Count == 0)
            {
                continue;
            }

            var sorted = samples.Order().ToArray();
            var step = Math.Max(1, sorted.Length / 400);
            var points = new StringBuilder();
            for (var i = 0; i < sorted.Length; i += step)
            {
                points.Append(CultureInfo.InvariantCulture, $"{X(sorted[i]):0.#},{Y((i + 1.0) / sorted.Length):0.#} ");
            }

            points.Append(CultureInfo.InvariantCulture, $"{X(sorted[^1]):0.#},{Y(1):0.#}");
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{points}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(stats.P99):0.#}\" y1=\"{Y(0.99):0.#}\" x2=\"{X(stats.P99):0.#}\" y2=\"{y + h}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/>\n");
        }

        Legend(svg, x, y + h + 56, [(StreamColour, $"streaming: p50 {Seconds(c.StreamStaleness.P50)}, p99 {Seconds(c.StreamStaleness.P99)}"),
            (BatchColour, $"batch every {c.BatchInterval.TotalSeconds:0} s: p50 {Seconds(c.BatchStaleness.P50)}, p99 {Seconds(c.BatchStaleness.P99)}")]);
    }

    /// <summary>Records and bytes moved, each pair scaled to its larger value.</summary>
    private static void VolumePanel(StringBuilder svg, ComparisonResult c, int x, int y, int w, int h)
    {
        Title(svg, x, y, "Moved from producer to consumer");
        Axes(svg, x, y, w, h);
        var groups = new (string Label, double Stream, double Batch, Func<double, string> Format)[]
        {
            ("records", c.StreamRecords, c.BatchRecords, v => v.ToString("0", CultureInfo.InvariantCulture)),
            ("MB stored", c.StreamStoredBytes, c.BatchStoredBytes, v => (v / 1e6).ToString("0.0", CultureInfo.InvariantCulture)),
            ("MB on wire*", c.StreamWireBytes, c.BatchStoredBytes, v => (v / 1e6).ToString("0.0", CultureInfo.InvariantCulture)),
        };
        var slot = w / groups.Length;
        for (var g = 0; g < groups.Length; g++)
        {
            var (label, stream, batch, format) = groups[g];
            var top = Math.Max(1, Math.Max(stream, batch));
            foreach (var (value, colour, offset) in new[] { (stream, StreamColour, 0), (batch, BatchColour, 1) })
            {
                var barHeight = h * 0.85 * value / top;
                var bx = x + (g * slot) + 10 + (offset * ((slot - 20) / 2));
                var bw = ((slot - 20) / 2) - 4;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{bx}\" y=\"{y + h - barHeight:0.#}\" width=\"{bw}\" height=\"{barHeight:0.#}\" fill=\"{colour}\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + (bw / 2)}\" y=\"{y + h - barHeight - 4:0.#}\" text-anchor=\"middle\" font-size=\"11\">{format(value)}</text>\n");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (g * slot) + (slot / 2)}\" y=\"{y + h + 16}\" text-anchor=\"middle\">{label}</text>\n");
        }

        Legend(svg, x, y + h + 44, [(StreamColour, "streaming"), (BatchColour, "batch")]);
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{y + h + 84}\" font-size=\"11\">* the batch job copies binary columns: on the wire about as stored</text>\n");
    }

    /// <summary>Changes per second applied from a backlog, per database and mode.</summary>
    private static void ApplyPanel(StringBuilder svg, IReadOnlyList<ApplyResult> apply, int x, int y, int w, int h)
    {
        Title(svg, x, y, "Consumer apply rate (changes/s)");
        Axes(svg, x, y, w, h);
        var top = apply.Max(r => r.PerSecond);
        var slot = w / apply.Count;
        for (var i = 0; i < apply.Count; i++)
        {
            var result = apply[i];
            var barHeight = h * 0.85 * result.PerSecond / top;
            var bx = x + (i * slot) + 6;
            var colour = result.Mode.StartsWith("one record", StringComparison.Ordinal) ? "#999" : StreamColour;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{bx}\" y=\"{y + h - barHeight:0.#}\" width=\"{slot - 12}\" height=\"{barHeight:0.#}\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + ((slot - 12) / 2)}\" y=\"{y + h - barHeight - 4:0.#}\" text-anchor=\"middle\" font-size=\"11\">{result.PerSecond:0}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + ((slot - 12) / 2)}\" y=\"{y + h + 16}\" text-anchor=\"middle\" font-size=\"11\">{(result.Backend == "PostgreSQL" ? "Postgres" : result.Backend)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{bx + ((slot - 12) / 2)}\" y=\"{y + h + 30}\" text-anchor=\"middle\" font-size=\"10\">{(colour == "#999" ? "1/tx" : "batched")}</text>\n");
        }
    }

    private static void Title(StringBuilder svg, int x, int y, string title) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{y - 12}\" font-size=\"14\" font-weight=\"bold\">{title}</text>\n");

    private static void Axes(StringBuilder svg, int x, int y, int w, int h) =>
        svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#333\" points=\"{x},{y} {x},{y + h} {x + w},{y + h}\"/>\n");

    private static void Legend(StringBuilder svg, int x, int y, IEnumerable<(string Colour, string Text)> entries)
    {
        var line = 0;
        foreach (var (colour, text) in entries)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y + (line * 18) - 10}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 18}\" y=\"{y + (line * 18)}\">{System.Net.WebUtility.HtmlEncode(text)}</text>\n");
            line++;
        }
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}" +
        (File.Exists("/proc/loadavg") ? $", load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end" : "");

    private static string Mb(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

    private static string Ratio(double stream, double batch)
    {
        if (!(batch > 0) || !double.IsFinite(stream) || !double.IsFinite(batch))
        {
            return "";
        }

        var ratio = stream / batch;
        return ratio >= 0.1 || ratio == 0
            ? ratio.ToString("0.###", CultureInfo.InvariantCulture) + "x"
            : "1/" + (1 / ratio).ToString("0", CultureInfo.InvariantCulture);
    }

    private static string Seconds(double seconds) => double.IsNaN(seconds) ? "n/a" : FormatSeconds(seconds);

    private static string FormatSeconds(double seconds) =>
        seconds < 1 ? (seconds * 1000).ToString("0.#", CultureInfo.InvariantCulture) + " ms" : seconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
}
