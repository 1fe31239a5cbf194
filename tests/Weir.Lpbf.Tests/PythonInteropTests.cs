using System.Text.Json;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

public sealed class PythonInteropTests
{
    [Fact]
    public async Task An_unmodified_challenge_client_runs_a_whole_benchmark_and_its_results_are_right()
    {
        await PythonTools.RequireAsync();
        await using var host = await EmulatorHost.StartAsync(o => o.Layers = 4);
        var run = await PythonTools.RunScriptAsync("challenge_client.py", [host.Url], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.Describe());

        var benchLine = run.StandardOutput.Split('\n').Single(l => l.StartsWith("BENCH ", StringComparison.Ordinal));
        var benchId = benchLine["BENCH ".Length..].Trim();
        var resultLine = run.StandardOutput.Split('\n').Single(l => l.StartsWith("Result: ", StringComparison.Ordinal));
        using var end = JsonDocument.Parse(resultLine["Result: ".Length..]);
        var metrics = end.RootElement.GetProperty("0");
        Assert.Equal(64, metrics.GetProperty("count").GetInt32());
        Assert.Equal(0, metrics.GetProperty("missing").GetInt32());

        // Every result the client posted equals what Weir's kernels compute for the same batch.
        var processor = new TileProcessor(new TilePool());
        var clusters = 0;
        for (var batch = 0; batch < 64; batch++)
        {
            var entry = host.Service.DataSet[batch];
            var tiff = await File.ReadAllBytesAsync(await host.Service.DataSet.GetTiffPathAsync(batch, CancellationToken.None));
            var expected = processor.Process(new Batch(batch, entry.PrintId, entry.TileId, entry.Layer, tiff)).Result;
            var posted = ResultCodec.Decode(await host.Http.GetByteArrayAsync($"/api/get_result/0/{benchId}/{batch}"));
            Assert.Equal((expected.BatchId, expected.PrintId, expected.TileId, expected.Saturated), (posted.BatchId, posted.PrintId, posted.TileId, posted.Saturated));
            KernelHarness.AssertSameClusters([.. expected.Centroids], [.. posted.Centroids], $"batch {batch}");
            clusters += expected.Centroids.Count;
        }

        Assert.True(clusters > 0, "the generated layers were meant to contain clusters");
    }

    [Fact]
    public async Task Kernels_agree_with_numpy_scipy_and_scikit_learn_on_generated_tiles()
    {
        await PythonTools.RequireAsync();
        using var folder = new TempDirectory("lpbf-tiles");
        var dataSet = new GeneratedDataSet(new GeneratorOptions { Layers = 4, Seed = 77 }, folder.Path);
        await dataSet.WriteAllAsync(null, CancellationToken.None);

        var run = await PythonTools.RunScriptAsync("lpbf_reference.py", ["results", dataSet.Folder], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.Describe());
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(dataSet.Count, lines.Length);

        var processor = new TileProcessor(new TilePool());
        var outliers = 0;
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            var python = document.RootElement;
            var batch = python.GetProperty("batch").GetInt32();
            var entry = dataSet[batch];
            var tiff = await File.ReadAllBytesAsync(await dataSet.GetTiffPathAsync(batch, CancellationToken.None));
            var outcome = processor.Process(new Batch(batch, "print", entry.TileId, entry.Layer, tiff));
            Assert.Equal(python.GetProperty("saturated").GetInt32(), outcome.Result.Saturated);
            var centroids = python.GetProperty("centroids").EnumerateArray()
                .Select(c => new Centroid(c.GetProperty("x").GetDouble(), c.GetProperty("y").GetDouble(), c.GetProperty("count").GetInt32())).ToList();
            KernelHarness.AssertSameClusters(centroids, [.. outcome.Result.Centroids], $"batch {batch}");
            if (python.TryGetProperty("outliers", out var list))
            {
                var expected = list.EnumerateArray().Select(o => (o[0].GetInt32(), o[1].GetInt32(), o[2].GetDouble())).ToList();
                var found = processor.LastOutliers;
                var actual = found.ScanOrder.ToArray().Select(i => (found.Row[i], found.Col[i], found.Deviation[i])).ToList();
                KernelHarness.AssertSameOutliers(expected, actual, $"batch {batch}");
                outliers += expected.Count;
            }
        }

        Assert.True(outliers > 0, "the generated layers were meant to contain outliers");
    }

    [Fact]
    public async Task Tiles_the_generator_writes_read_the_same_in_Pillow()
    {
        await PythonTools.RequireAsync();
        using var folder = new TempDirectory("lpbf-pillow");
        var pixels = OutlierDetectorTests.RandomTile(new Random(9), 500, 500);
        var path = Path.Combine(folder.Path, "tile.tif");
        await File.WriteAllBytesAsync(path, TiffTileEncoder.Encode(pixels, 500, 500));
        var script = "import sys, numpy as np; from PIL import Image; a = np.array(Image.open(sys.argv[1])); " +
                     "print(a.dtype, a.shape, int(a.astype(np.int64).sum()), int(a[0, 0]), int(a[499, 499]), int(a[3, 7]))";
        var run = await ProcessRun.RunAsync(PythonTools.Python, ["-c", script, path], TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, run.Describe());
        var sum = pixels.Sum(p => (long)p);
        Assert.Equal($"uint16 (500, 500) {sum} {pixels[0]} {pixels[^1]} {pixels[3 * 500 + 7]}", run.StandardOutput.Trim());
    }
}
