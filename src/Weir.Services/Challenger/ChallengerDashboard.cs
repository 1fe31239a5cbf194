using System.Globalization;
using System.Net;
using System.Text;

namespace Weir.Services.Challenger;

/// <summary>The /dash pages: every run with its metrics, and per run the batches with results, linked to their plots.</summary>
internal static class ChallengerDashboard
{
    private const string Style = "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}</style>";

    public static string Runs(BenchStore store, string dataSet, long nowNs)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Local Challenger</title>").Append(Style).Append("</head><body>")
            .Append("<h1>Local Challenger (Weir)</h1><p>").Append(WebUtility.HtmlEncode(dataSet)).Append("</p>")
            .Append("<table><tr><th>bench</th><th>name</th><th>state</th><th>served</th><th>results</th><th>missing</th><th>batches/s</th><th>latency mean</th><th>p99</th><th>max</th></tr>");
        foreach (var bench in store.All())
        {
            lock (bench.Gate)
            {
                var m = bench.Metrics(nowNs);
                var state = bench.Ended ? "ended" : bench.Started ? "running" : "created";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/dash/{bench.Id}\">{bench.Id}</a></td><td>{WebUtility.HtmlEncode(bench.Record.Name)}</td><td>{state}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{m.Count}</td><td>{bench.Results}</td><td>{m.Missing}</td><td>{m.Throughput:F1}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{DurationText.Format(m.LatencyMeanNs)}</td><td>{DurationText.Format(m.LatencyP99Ns)}</td><td>{DurationText.Format(m.LatencyMaxNs)}</td></tr>");
            }
        }

        return html.Append("</table></body></html>").ToString();
    }

    public static string Run(Bench bench)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").Append(bench.Id).Append("</title>").Append(Style).Append("</head><body>")
            .Append("<p><a href=\"/dash\">all runs</a></p><h1>").Append(bench.Id).Append("</h1><p>Plots show the tile, the expected outliers and clusters, and the submitted clusters.</p><p>");
        lock (bench.Gate)
        {
            for (var batch = 0; batch < bench.Served; batch++)
            {
                var mark = bench.ResultOf(batch) is null ? "·" : batch.ToString(CultureInfo.InvariantCulture);
                html.Append(CultureInfo.InvariantCulture, $"<a href=\"/api/plot/0/{bench.Id}/{batch}\">{mark}</a> ");
            }
        }

        return html.Append("</p></body></html>").ToString();
    }
}
