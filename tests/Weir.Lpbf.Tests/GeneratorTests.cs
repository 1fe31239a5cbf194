using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

public sealed class GeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_tiles_and_another_seed_other_tiles()
    {
        var a = new ushort[500 * 500];
        var b = new ushort[500 * 500];
        new LayerGenerator(new GeneratorOptions { Seed = 1 }).Render(7, 3, a);
        new LayerGenerator(new GeneratorOptions { Seed = 1 }).Render(7, 3, b);
        Assert.Equal(a, b);
        new LayerGenerator(new GeneratorOptions { Seed = 2 }).Render(7, 3, b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Tiles_look_like_the_challenge_data_powder_below_5000_parts_and_saturation_on_hot_tiles_only()
    {
        var generator = new LayerGenerator(new GeneratorOptions { Layers = 40 });
        var pixels = new ushort[500 * 500];
        var saturatedByTile = new int[16];
        var processor = new TileProcessor(new TilePool());
        var withClusters = 0;
        for (var layer = 0; layer < 40; layer++)
        {
            for (var tile = 0; tile < 16; tile++)
            {
                generator.Render(layer, tile, pixels);
                var t = new Tile();
                t.CopyFrom(pixels, 500, 500);
                var outcome = processor.Process(layer * 16 + tile, "p", tile, layer, t);
                saturatedByTile[tile] += outcome.Result.Saturated > 0 ? 1 : 0;
                withClusters += outcome.Result.Centroids.Count > 0 ? 1 : 0;
            }
        }

        // Tiles that never saturate in the challenge's data never do here; the hot ones mostly do.
        foreach (var never in new[] { 0, 1, 11, 13, 14, 15 })
        {
            Assert.Equal(0, saturatedByTile[never]);
        }

        foreach (var hot in new[] { 3, 7, 9, 10 })
        {
            Assert.True(saturatedByTile[hot] > 20, $"tile {hot} saturated in {saturatedByTile[hot]} of 40 layers");
        }

        var share = withClusters / (38.0 * 16);
        Assert.InRange(share, 0.35, 0.8);
    }

    [Fact]
    public async Task The_generated_data_set_is_written_once_in_the_tile_folder_layout()
    {
        using var folder = new TempDirectory("generated");
        var dataSet = new GeneratedDataSet(new GeneratorOptions { Layers = 2 }, folder.Path);
        Assert.Equal(32, dataSet.Count);
        Assert.Equal(new TileEntry("SI266220200309225433", 1, 2), dataSet[18]);
        var path = await dataSet.GetTiffPathAsync(18, CancellationToken.None);
        Assert.Equal("L0001-T02.tif", Path.GetFileName(path));
        var written = File.GetLastWriteTimeUtc(path);

        var again = new GeneratedDataSet(new GeneratorOptions { Layers = 2 }, folder.Path);
        Assert.Equal(path, await again.GetTiffPathAsync(18, CancellationToken.None));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));

        await again.WriteAllAsync(null, CancellationToken.None);
        var asFolder = new TileFolderDataSet(again.Folder, "SI266220200309225433");
        Assert.Equal(32, asFolder.Count);
        Assert.Equal(dataSet[31], asFolder[31]);
    }

    [Fact]
    public async Task A_tile_that_could_not_be_written_is_tried_again_when_asked_for_again()
    {
        using var folder = new TempDirectory("generated-retry");
        var dataSet = new GeneratedDataSet(new GeneratorOptions { Layers = 1 }, folder.Path, readAhead: 0);
        var blocker = Path.Combine(dataSet.Folder, "L0000-T05.tif");
        Directory.CreateDirectory(blocker); // a folder where the tile's file must go

        await Assert.ThrowsAsync<IOException>(async () => await dataSet.GetTiffPathAsync(5, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(async () => await dataSet.GetTiffPathAsync(5, CancellationToken.None));
        Assert.DoesNotContain(Directory.GetFiles(dataSet.Folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));

        Directory.Delete(blocker);
        Assert.Equal(blocker, await dataSet.GetTiffPathAsync(5, CancellationToken.None));
        Assert.True(File.Exists(blocker));
    }
}
