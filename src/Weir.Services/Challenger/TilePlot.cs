using System.Globalization;
using System.Net;
using System.Text;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Services.Challenger;

/// <summary>
/// The SVG behind <c>/api/plot</c>: the tile as a grey image, the outliers the reference definition finds in its
/// window (red), the clusters it expects (green crosses) and the clusters the client submitted (blue circles, area
/// by member count), so a participant sees at a glance where a result is wrong.
/// </summary>
internal static class TilePlot
{
    private const int Header = 64;

    public static async Task<string> RenderAsync(ITileDataSet dataSet, int batch, byte[]? submitted, CancellationToken cancellationToken)
    {
        var entry = dataSet[batch];
        var window = new List<int>();
        for (var i = batch - 1; i >= 0 && window.Count < 2; i--)
        {
            var other = dataSet[i];
            if (other.TileId == entry.TileId && other.PrintId == entry.PrintId)
            {
                window.Insert(0, i);
            }
        }

        window.Add(batch);
        var processor = new TileProcessor(new TilePool());
        TileOutcome? expected = null;
        Tile? shown = null;
        foreach (var index in window)
        {
            var tiff = await File.ReadAllBytesAsync(await dataSet.GetTiffPathAsync(index, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var tile = new Tile();
            TiffTileDecoder.Decode(tiff, tile);
            if (index == batch)
            {
                shown = new Tile();
                shown.CopyFrom(tile.ToArray(), tile.Rows, tile.Cols);
            }

            var e = dataSet[index];
            expected = processor.Process(index, e.PrintId, e.TileId, e.Layer, tile);
        }

        QueryResult? result = null;
        string? unreadable = null;
        if (submitted is not null)
        {
            try
            {
                result = ResultCodec.Decode(submitted);
            }
            catch (InvalidDataException error)
            {
                unreadable = error.Message;
            }
        }

        return Svg(entry, batch, shown!, expected!, expected!.WindowFull ? processor.LastOutliers : null, result, submitted is null, unreadable);
    }

    private static string Svg(TileEntry entry, int batch, Tile tile, TileOutcome expected, Outliers? outliers, QueryResult? result, bool none, string? unreadable)
    {
        var width = tile.Cols;
        var height = tile.Rows + Header;
        var png = Convert.ToBase64String(PngEncoder.EncodeGray(PngEncoder.ToGray(tile.ToArray()), tile.Rows, tile.Cols));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"16\">batch {batch} · print {WebUtility.HtmlEncode(entry.PrintId)} · tile {entry.TileId} · layer {entry.Layer}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"34\" fill=\"#080\">expected: saturated {expected.Result.Saturated}, {expected.OutlierCount} outliers, {expected.Result.Centroids.Count} clusters{(expected.WindowFull ? "" : " (window not full)")}</text>");
        var submittedLine = none ? "submitted: no result"
            : unreadable is not null ? $"submitted: unreadable ({unreadable})"
            : $"submitted: saturated {result!.Saturated}, {result.Centroids.Count} clusters";
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"52\" fill=\"#00c\">{WebUtility.HtmlEncode(submittedLine)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate(0,{Header})\">");
        svg.Append(CultureInfo.InvariantCulture, $"<image width=\"{tile.Cols}\" height=\"{tile.Rows}\" href=\"data:image/png;base64,{png}\"/>");
        if (outliers is not null)
        {
            // Row r is drawn downwards, column c to the right: x (= row) is the vertical axis.
            svg.Append("<g fill=\"#e00\" fill-opacity=\"0.8\">");
            for (var i = 0; i < outliers.Count; i++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{outliers.Col[i]}\" y=\"{outliers.Row[i]}\" width=\"1\" height=\"1\"/>");
            }

            svg.Append("</g>");
        }

        foreach (var c in expected.Result.Centroids)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{c.Y - 6:0.##},{c.X:0.##}h12M{c.Y:0.##},{c.X - 6:0.##}v12\" stroke=\"#0a0\" stroke-width=\"2\"><title>expected ({c.X}, {c.Y}) × {c.Count}</title></path>");
        }

        if (result is not null)
        {
            foreach (var c in result.Centroids)
            {
                var radius = 3 + Math.Sqrt(Math.Max(0, c.Count));
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{c.Y:0.##}\" cy=\"{c.X:0.##}\" r=\"{radius:0.#}\" fill=\"none\" stroke=\"#03f\" stroke-width=\"1.5\"><title>submitted ({c.X}, {c.Y}) × {c.Count}</title></circle>");
            }
        }

        svg.Append("</g></svg>");
        return svg.ToString();
    }
}
