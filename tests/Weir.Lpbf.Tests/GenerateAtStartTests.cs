using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Services.Challenger;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

/// <summary>
/// The emulator writes its generated print to the cache when it starts, so that the first benchmark is served from
/// files instead of measuring the generator; switched off, tiles are written only when served.
/// </summary>
public sealed class GenerateAtStartTests
{
    [Fact]
    public async Task The_emulator_writes_the_whole_generated_print_in_the_background_without_any_client()
    {
        await using var host = await EmulatorHost.StartAsync(o => o.Layers = 4);
        var dataSet = Assert.IsType<GeneratedDataSet>(host.Service.DataSet);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (dataSet.CountMissing() > 0)
        {
            await Task.Delay(50, deadline.Token);
        }

        var files = Directory.GetFiles(dataSet.Folder);
        Assert.Equal(64, files.Length);
        Assert.All(files, f => Assert.EndsWith(".tif", f, StringComparison.Ordinal));

        // The files are the generator's tiles, not placeholders: the last one decodes to the rendered pixels.
        var expected = new ushort[500 * 500];
        new LayerGenerator(new GeneratorOptions { Layers = 4 }).Render(3, 15, expected);
        var tile = new Tile();
        TiffTileDecoder.Decode(await File.ReadAllBytesAsync(Path.Combine(dataSet.Folder, "L0003-T15.tif")), tile);
        Assert.Equal(expected, tile.ToArray());
    }

    [Fact]
    public async Task Switched_off_nothing_is_written_until_a_tile_is_served()
    {
        await using var host = await EmulatorHost.StartAsync(o => o.GenerateAtStart = false);
        var dataSet = Assert.IsType<GeneratedDataSet>(host.Service.DataSet);

        // Writing in the background would put the first tile there within milliseconds; give it two seconds.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(dataSet.Count, dataSet.CountMissing());

        var bench = await host.CreateAndStartAsync();
        var batch = await host.Http.GetAsync($"/api/next_batch/{bench}");
        Assert.Equal(System.Net.HttpStatusCode.OK, batch.StatusCode);
        Assert.True(File.Exists(Path.Combine(dataSet.Folder, "L0000-T00.tif")));
    }

    [Fact]
    public async Task A_tile_that_cannot_be_written_stops_only_the_background_writer()
    {
        using var data = new TempDirectory("generate-fail");
        var folder = Assert.IsType<GeneratedDataSet>(ChallengerService.CreateDataSet(new ChallengerOptions { Layers = 1 }, data.Path)).Folder;
        Directory.CreateDirectory(Path.Combine(folder, "L0000-T03.tif")); // a folder where the tile's file must go

        await using (var host = await EmulatorHost.StartAsync(o => o.Layers = 1, data.Path))
        {
            // The emulator still serves: tile 0 is written on demand.
            var bench = await host.CreateAndStartAsync();
            var batch = await host.Http.GetAsync($"/api/next_batch/{bench}");
            Assert.Equal(System.Net.HttpStatusCode.OK, batch.StatusCode);
        }

        // Stopping did not throw, and the failed tile left nothing behind.
        Assert.False(File.Exists(Path.Combine(folder, "L0000-T03.tif")));
        Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_the_emulator_while_it_generates_leaves_no_partial_tile_behind()
    {
        using var data = new TempDirectory("generate-stop");
        GeneratedDataSet dataSet;
        await using (var host = await EmulatorHost.StartAsync(o => o.Layers = 40, data.Path))
        {
            dataSet = Assert.IsType<GeneratedDataSet>(host.Service.DataSet);
        }

        // Disposing waited for the tiles being written; each file left is whole.
        var files = Directory.GetFiles(dataSet.Folder);
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        var tile = new Tile();
        foreach (var file in files)
        {
            TiffTileDecoder.Decode(await File.ReadAllBytesAsync(file), tile);
        }
    }
}
