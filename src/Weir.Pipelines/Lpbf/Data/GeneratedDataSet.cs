using System.Collections.Concurrent;
using Weir.Pipelines.Lpbf.Imaging;

namespace Weir.Pipelines.Lpbf.Data;

/// <summary>
/// The generated print, written to a cache folder as TIFF files in the <see cref="TileFolderDataSet"/> layout the
/// first time each tile is needed, then read from there (also after a restart). Serving tile k also starts writing
/// the next few in the background, so a client that reads the stream in order rarely waits for the generator.
/// </summary>
internal sealed class GeneratedDataSet : ITileDataSet
{
    private readonly LayerGenerator _generator;
    private readonly ConcurrentDictionary<int, Lazy<Task<string>>> _writing = new();
    private readonly int _readAhead;

    public GeneratedDataSet(GeneratorOptions options, string cacheRoot, int? readAhead = null)
    {
        _generator = new LayerGenerator(options);
        Folder = Path.Combine(cacheRoot, options.CacheKey);
        Directory.CreateDirectory(Folder);
        _readAhead = readAhead ?? 2 * Environment.ProcessorCount;
        Description = $"generated print {options.PrintId}: {options.Layers} layers x {_generator.TilesPerLayer} tiles of {options.TileSize}x{options.TileSize} (seed {options.Seed}), cached in {Folder}";
    }

    public string Folder { get; }

    public string Description { get; }

    public int Count => _generator.TileCount;

    public TileEntry this[int index] => new(_generator.Options.PrintId, index / _generator.TilesPerLayer, index % _generator.TilesPerLayer);

    public async ValueTask<string> GetTiffPathAsync(int index, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        for (var ahead = index + 1; ahead <= Math.Min(Count - 1, index + _readAhead); ahead++)
        {
            _ = Ensure(ahead);
        }

        return await Ensure(index).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many tiles are not in the cache folder yet.</summary>
    public int CountMissing()
    {
        var missing = 0;
        for (var index = 0; index < Count; index++)
        {
            if (!File.Exists(PathOf(index)))
            {
                missing++;
            }
        }

        return missing;
    }

    /// <summary>
    /// Writes every tile not yet in the cache, on all cores (<c>weir generate lpbf</c>, and the emulator when it
    /// starts). Tiles a client asks for meanwhile are written once, whichever asks first.
    /// </summary>
    public async Task WriteAllAsync(IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var done = 0;
        // Cancelling stops taking new tiles; a tile being written is finished (milliseconds), so that nothing of
        // this call is still writing once it has returned.
        await Parallel.ForAsync(0, Count, new ParallelOptions { CancellationToken = cancellationToken }, async (index, _) =>
        {
            await Ensure(index).ConfigureAwait(false);
            progress?.Report(Interlocked.Increment(ref done));
        }).ConfigureAwait(false);
    }

    private Task<string> Ensure(int index) =>
        _writing.GetOrAdd(index, static (i, self) => new Lazy<Task<string>>(() => self.WriteOnceAsync(i)), this).Value;

    /// <summary>
    /// One attempt at writing a tile, shared by everyone who asks meanwhile. A failed attempt (a full disk, say) is
    /// forgotten, so that the next request tries again instead of failing for as long as the emulator runs.
    /// </summary>
    private async Task<string> WriteOnceAsync(int index)
    {
        try
        {
            return await Task.Run(() => Write(index)).ConfigureAwait(false);
        }
        catch
        {
            _writing.TryRemove(index, out _);
            throw;
        }
    }

    private string PathOf(int index)
    {
        var entry = this[index];
        return Path.Combine(Folder, TileFolderDataSet.FileName(entry.Layer, entry.TileId));
    }

    private string Write(int index)
    {
        var path = PathOf(index);
        if (File.Exists(path))
        {
            return path;
        }

        var size = _generator.Options.TileSize;
        var pixels = new ushort[size * size];
        var entry = this[index];
        _generator.Render(entry.Layer, entry.TileId, pixels);
        var tiff = TiffTileEncoder.Encode(pixels, size, size);
        // Written under a temporary name, put on disk, then renamed, so a crash never leaves a torn or empty tile
        // under the final name: ext4 may commit the rename of a new file before its data, and a tile that exists is
        // never written again.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(tiff);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return path;
    }
}
