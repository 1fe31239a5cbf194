using System.Globalization;
using System.Net;
using System.Text;

namespace Weir.Pipelines.Factory;

/// <summary>
/// Draws the correlation report as one SVG a person can open in a browser: a panel per product with the production
/// increase per work-order interval (line, left axis), the readings of metric id = product (dots, right axis), and
/// the top three increases joined to the reading the report picked for each.
/// </summary>
internal static class CorrelationChart
{
    private const double Width = 1100;
    private const double PanelHeight = 330;
    private const double Left = 80;
    private const double Right = 80;
    private const double Top = 70;
    private const double PanelGap = 70;
    private const string IncreaseColour = "#1f77b4";
    private const string ReadingColour = "#ff7f0e";
    private const string TopColour = "#d62728";

    public static string Render(IReadOnlyList<ProductReport> reports)
    {
        var svgHeight = Top + reports.Count * (PanelHeight + PanelGap) + 20;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{svgHeight}\" viewBox=\"0 0 {Width} {svgHeight}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{svgHeight}\" fill=\"white\"/>\n");
        svg.Append("<text x=\"20\" y=\"28\" font-size=\"18\" font-weight=\"bold\">Factory correlation report: top production increases and the closest metric reading</text>\n");
        Legend(svg, 20, 50);

        var times = reports.SelectMany(r => r.Intervals.Select(i => i.Time).Concat(r.Readings.Select(m => m.Time))).ToList();
        var (from, to) = times.Count == 0 ? (DateTime.UnixEpoch, DateTime.UnixEpoch.AddDays(1)) : (times.Min(), times.Max());
        if (to <= from)
        {
            to = from.AddHours(1);
        }

        for (var p = 0; p < reports.Count; p++)
        {
            Panel(svg, reports[p], Top + 30 + p * (PanelHeight + PanelGap), from, to);
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void Panel(StringBuilder svg, ProductReport report, double y0, DateTime from, DateTime to)
    {
        var plotWidth = Width - Left - Right;
        var y1 = y0 + PanelHeight - 40;
        var increases = report.Intervals.Select(i => (double)i.Increase).DefaultIfEmpty(0).ToList();
        // Headroom above the highest increase keeps the rank labels of the top three inside the plot.
        var (incMin, incMax, incStep) = NiceRange(Math.Min(0, increases.Min()), increases.Max() + 0.1 * (increases.Max() - Math.Min(0, increases.Min())));
        var values = report.Readings.Select(r => (double)r.Value).DefaultIfEmpty(0).ToList();
        var (valMin, valMax, valStep) = NiceRange(values.Min(), values.Max());
        double X(DateTime t) => Left + (t - from).TotalSeconds / (to - from).TotalSeconds * plotWidth;
        double YInc(double v) => y1 - (v - incMin) / (incMax - incMin) * (y1 - y0);
        double YVal(double v) => y1 - (v - valMin) / (valMax - valMin) * (y1 - y0);

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{y0 - 12}\" font-size=\"15\" font-weight=\"bold\">Product {report.Product}: production increase per interval, and metric id {report.Product}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y0}\" width=\"{plotWidth}\" height=\"{y1 - y0}\" fill=\"none\" stroke=\"#999\"/>\n");

        for (var v = incMin; v <= incMax + incStep / 2; v += incStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{F(YInc(v))}\" y2=\"{F(YInc(v))}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(YInc(v) + 4)}\" text-anchor=\"end\" fill=\"{IncreaseColour}\">{Number(v)}</text>\n");
        }

        for (var v = valMin; v <= valMax + valStep / 2; v += valStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth + 6}\" y=\"{F(YVal(v) + 4)}\" fill=\"{ReadingColour}\">{Number(v)}</text>\n");
        }

        var days = Math.Max(1, (int)Math.Ceiling((to - from).TotalDays / 10));
        for (var day = from.Date.AddDays(1); day <= to; day = day.AddDays(days))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(day))}\" x2=\"{F(X(day))}\" y1=\"{y0}\" y2=\"{y1 + 4}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(day))}\" y=\"{y1 + 18}\" text-anchor=\"middle\">{day:yyyy-MM-dd}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 55}\" y=\"{F((y0 + y1) / 2)}\" transform=\"rotate(-90 {Left - 55} {F((y0 + y1) / 2)})\" text-anchor=\"middle\" fill=\"{IncreaseColour}\">production increase</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth + 62}\" y=\"{F((y0 + y1) / 2)}\" transform=\"rotate(90 {Left + plotWidth + 62} {F((y0 + y1) / 2)})\" text-anchor=\"middle\" fill=\"{ReadingColour}\">metric {report.Product} reading</text>\n");

        foreach (var reading in report.Readings)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(reading.Time))}\" cy=\"{F(YVal(reading.Value))}\" r=\"2\" fill=\"{ReadingColour}\" fill-opacity=\"0.55\"/>");
        }

        svg.Append('\n');
        if (report.Intervals.Count > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{IncreaseColour}\" stroke-width=\"1.3\" points=\"");
            foreach (var interval in report.Intervals)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{F(X(interval.Time))},{F(YInc(interval.Increase))} ");
            }

            svg.Append("\"/>\n");
        }

        var noteY = y1 + 36;
        foreach (var top in report.Top)
        {
            var x = X(top.Increase.Time);
            var y = YInc(top.Increase.Increase);
            var rank = top.Rank + 1;
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"7\" fill=\"none\" stroke=\"{TopColour}\" stroke-width=\"2\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y - 11)}\" text-anchor=\"middle\" fill=\"{TopColour}\" font-weight=\"bold\">{rank}</text>");
            var note = $"#{rank}: +{Number(top.Increase.Increase)} at {CorrelationReport.FormatTime(top.Increase.Time)}";
            if (top.Reading is { } reading)
            {
                var rx = X(reading.Time);
                var ry = YVal(reading.Value);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{F(y)}\" x2=\"{F(rx)}\" y2=\"{F(ry)}\" stroke=\"{TopColour}\" stroke-dasharray=\"4 3\"/>");
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{F(rx)},{F(ry - 6)} L{F(rx + 6)},{F(ry)} L{F(rx)},{F(ry + 6)} L{F(rx - 6)},{F(ry)} Z\" fill=\"{TopColour}\"/>");
                note += $"  ↔  metric {reading.Id} = {Number(reading.Value)} at {CorrelationReport.FormatTime(reading.Time)}";
            }
            else
            {
                note += "  ↔  no reading of metric " + report.Product.ToString(CultureInfo.InvariantCulture) + " within a day";
            }

            svg.Append('\n');
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{F(noteY)}\" fill=\"{TopColour}\">{WebUtility.HtmlEncode(note)}</text>\n");
            noteY += 15;
        }
    }

    private static void Legend(StringBuilder svg, double x, double y)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"{y - 4}\" x2=\"{x + 24}\" y2=\"{y - 4}\" stroke=\"{IncreaseColour}\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 30}\" y=\"{y}\">production increase per work-order interval (left axis)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x + 380}\" cy=\"{y - 4}\" r=\"3\" fill=\"{ReadingColour}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 390}\" y=\"{y}\">metric reading, id = product (right axis)</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x + 660}\" cy=\"{y - 4}\" r=\"6\" fill=\"none\" stroke=\"{TopColour}\" stroke-width=\"2\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{x + 680},{y - 10} L{x + 686},{y - 4} L{x + 680},{y + 2} L{x + 674},{y - 4} Z\" fill=\"{TopColour}\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 694}\" y=\"{y}\">top 3 increases and the closest reading within ±1 day</text>\n");
    }

    /// <summary>Axis bounds on round numbers with 4 to 10 steps.</summary>
    private static (double Min, double Max, double Step) NiceRange(double min, double max)
    {
        if (max - min < 1e-9)
        {
            (min, max) = (min - 1, max + 1);
        }

        var raw = (max - min) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
