using System.Globalization;
using System.Text.RegularExpressions;

namespace Weir.Pipelines.Lpbf.Data;

/// <summary>
/// A folder of TIFF tiles named <c>L&lt;layer&gt;-T&lt;tile&gt;.tif</c> (or <c>.tiff</c>; decimal numbers, leading zeros
/// optional, case ignored), e.g. <c>L0000-T00.tif</c> … <c>L0224-T15.tif</c>: served in (layer, tile) order. Other
/// files are ignored. <c>weir generate lpbf --out DIR</c> writes this layout.
/// </summary>
internal sealed partial class TileFolderDataSet : ITileDataSet
{
    private readonly string[] _paths;
    private readonly TileEntry[] _entries;

    public TileFolderDataSet(string folder, string printId)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"tile folder '{folder}' does not exist");
        }

        var tiles = new List<(int Layer, int Tile, string Path)>();
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var match = NamePattern().Match(Path.GetFileName(path));
            if (match.Success)
            {
                tiles.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), path));
            }
        }

        if (tiles.Count == 0)
        {
            throw new InvalidDataException($"tile folder '{folder}' holds no file named L<layer>-T<tile>.tif (e.g. L0000-T00.tif)");
        }

        tiles.Sort((a, b) => a.Layer != b.Layer ? a.Layer.CompareTo(b.Layer) : a.Tile.CompareTo(b.Tile));
        _paths = [.. tiles.Select(t => t.Path)];
        _entries = [.. tiles.Select(t => new TileEntry(printId, t.Layer, t.Tile))];
        Folder = folder;
        var layers = tiles.Select(t => t.Layer).Distinct().Count();
        Description = $"tile folder {folder}: {tiles.Count} tiles over {layers} layers, print {printId}";
    }

    public string Folder { get; }

    public string Description { get; }

    public int Count => _entries.Length;

    public TileEntry this[int index] => _entries[index];

    public ValueTask<string> GetTiffPathAsync(int index, CancellationToken cancellationToken) => ValueTask.FromResult(_paths[index]);

    public static string FileName(int layer, int tile) =>
        string.Create(CultureInfo.InvariantCulture, $"L{layer:D4}-T{tile:D2}.tif");

    [GeneratedRegex(@"^L(\d{1,9})-T(\d{1,9})\.tiff?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
