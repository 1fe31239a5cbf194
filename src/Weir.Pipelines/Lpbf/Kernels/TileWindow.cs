namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Q2's window for one (print_id, tile_id): the last three tiles in arrival order (no check of layer numbers or
/// gaps, as in the reference). Pushing a fourth tile hands the oldest back to the pool.
/// </summary>
internal sealed class TileWindow
{
    private readonly Tile?[] _tiles = new Tile?[LpbfConstants.WindowLayers];
    private int _count;

    public int Count => _count;

    public bool IsFull => _count == LpbfConstants.WindowLayers;

    /// <summary>Layer two back.</summary>
    public Tile Oldest => _tiles[0]!;

    /// <summary>Layer one back.</summary>
    public Tile Previous => _tiles[1]!;

    public Tile Newest => _tiles[_count - 1]!;

    /// <summary>Tile i, oldest first.</summary>
    public Tile this[int index] => index < _count ? _tiles[index]! : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Appends the newest tile; the window owns it from now on.</summary>
    public void Push(Tile tile, TilePool pool)
    {
        if (_count == LpbfConstants.WindowLayers)
        {
            pool.Return(_tiles[0]!);
            _tiles[0] = _tiles[1];
            _tiles[1] = _tiles[2];
            _count--;
        }

        _tiles[_count++] = tile;
    }

    /// <summary>Gives every tile back to the pool (the key is dropped).</summary>
    public void Clear(TilePool pool)
    {
        for (var i = 0; i < _count; i++)
        {
            pool.Return(_tiles[i]!);
            _tiles[i] = null;
        }

        _count = 0;
    }
}
