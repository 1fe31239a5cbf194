using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Pipelines.Lpbf.Bench;

/// <summary>
/// <c>weir bench lpbf tile</c>: time per tile of decoding plus Q1+Q2+Q3 on one core, for Weir's kernels and for the
/// numpy/scipy/scikit-learn implementation of the same definition (lpbf_reference.py under Debian's
/// /usr/bin/python3), on the same generated tiles in the same run. Only tiles whose window is full count (those
/// are the ones Q2 and Q3 run on).
/// </summary>
internal static class TileBenchmark
{
    public sealed record Options(string Folder, int Layers = 12, int Seed = 2025, string Python = "/usr/bin/python3", bool SkipPython = false);

    /// <summary>Per-tile figures: thread CPU time (decode, queries, total) and wall time (total).</summary>
    public sealed record Timing(string Implementation, int Tiles, double DecodeMeanMs, double QueriesMeanMs, double TotalMeanMs, double TotalMedianMs, double WallMeanMs);

    public static async Task<string> RunAsync(Options options, TextWriter log, CancellationToken cancellationToken)
    {
        var dataSet = new GeneratedDataSet(new GeneratorOptions { Layers = options.Layers, Seed = options.Seed }, options.Folder);
        log.WriteLine($"tiles: {dataSet.Description}");
        await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);
        var tiffs = new byte[dataSet.Count][];
        for (var i = 0; i < tiffs.Length; i++)
        {
            tiffs[i] = await File.ReadAllBytesAsync(await dataSet.GetTiffPathAsync(i, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        Measure(dataSet, tiffs); // warm-up: JIT tiers, pools
        var weir = Measure(dataSet, tiffs);
        var rows = new List<Timing> { weir };
        if (!options.SkipPython)
        {
            rows.Add(await MeasurePythonAsync(options, dataSet, cancellationToken).ConfigureAwait(false));
        }

        return Report(rows, tiffs);
    }

    private static Timing Measure(GeneratedDataSet dataSet, byte[][] tiffs)
    {
        var processor = new TileProcessor(new TilePool());
        var decode = new List<double>();
        var queries = new List<double>();
        var wall = new List<double>();
        var pool = new TilePool();
        for (var i = 0; i < tiffs.Length; i++)
        {
            var entry = dataSet[i];
            var started = Stopwatch.GetTimestamp();
            var start = ThreadCpuClock.NowNs();
            var tile = pool.Rent();
            Imaging.TiffTileDecoder.Decode(tiffs[i], tile);
            var decoded = ThreadCpuClock.NowNs();
            var outcome = processor.Process(i, entry.PrintId, entry.TileId, entry.Layer, tile);
            var end = ThreadCpuClock.NowNs();
            if (outcome.WindowFull)
            {
                decode.Add((decoded - start) / 1e6);
                queries.Add((end - decoded) / 1e6);
                wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return Summarise("Weir (C#, one thread)", decode, queries, wall);
    }

    private static async Task<Timing> MeasurePythonAsync(Options options, GeneratedDataSet dataSet, CancellationToken cancellationToken)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "lpbf", "lpbf_reference.py");
        var windows = (options.Layers - 2) * 16;
        var info = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "bench", dataSet.Folder, "--windows", windows.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        // One core for the baseline too: no threaded BLAS or OpenMP.
        foreach (var variable in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" })
        {
            info.Environment[variable] = "1";
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {options.Python}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"the numpy baseline failed (exit {process.ExitCode}); it needs python3-numpy, python3-scipy, python3-sklearn and python3-pil: {await stderr.ConfigureAwait(false)}");
        }

        using var json = JsonDocument.Parse(await stdout.ConfigureAwait(false));
        var decode = json.RootElement.GetProperty("decode_s").EnumerateArray().Select(v => v.GetDouble() * 1000).ToList();
        var queries = json.RootElement.GetProperty("queries_s").EnumerateArray().Select(v => v.GetDouble() * 1000).ToList();
        var wall = json.RootElement.GetProperty("wall_s").EnumerateArray().Select(v => v.GetDouble() * 1000).ToList();
        return Summarise("numpy/scipy/scikit-learn (Python, one thread)", decode, queries, wall);
    }

    private static Timing Summarise(string name, List<double> decode, List<double> queries, List<double> wall)
    {
        var totals = decode.Zip(queries, (d, q) => d + q).Order().ToList();
        return new Timing(name, totals.Count, decode.Average(), queries.Average(), totals.Average(), totals[totals.Count / 2], wall.Average());
    }

    private static string Report(List<Timing> rows, byte[][] tiffs)
    {
        var text = new StringBuilder();
        var averageKiB = tiffs.Average(t => t.Length) / 1024.0;
        var clock = ThreadCpuClock.IsCpuTime ? "thread CPU time" : "wall time";
        text.AppendLine(CultureInfo.InvariantCulture, $"LPBF per-tile time (decode 500x500 16-bit Deflate TIFF of {averageKiB:F0} KiB on average + Q1 + Q2 + Q3), full windows only, {clock}");
        text.AppendLine("| implementation | tiles | decode mean (ms) | queries mean (ms) | total mean (ms) | total median (ms) | wall mean (ms) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Implementation} | {row.Tiles} | {row.DecodeMeanMs:F3} | {row.QueriesMeanMs:F3} | {row.TotalMeanMs:F3} | {row.TotalMedianMs:F3} | {row.WallMeanMs:F3} |");
        }

        if (rows.Count == 2)
        {
            var (weir, numpy) = (rows[0], rows[1]);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Weir is {numpy.TotalMeanMs / weir.TotalMeanMs:F1}x faster per tile ({clock}, mean; {numpy.TotalMedianMs / weir.TotalMedianMs:F1}x by median; " +
                $"queries alone {numpy.QueriesMeanMs / weir.QueriesMeanMs:F1}x; wall time {numpy.WallMeanMs / weir.WallMeanMs:F1}x)");
        }

        return text.ToString();
    }
}
