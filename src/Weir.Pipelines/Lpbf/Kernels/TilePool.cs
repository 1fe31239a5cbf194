using System.Collections.Concurrent;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Reuses tile buffers (half a megabyte each for 500 × 500): a window keeps three tiles per key and hands the oldest
/// back when a new layer arrives, so a running job allocates no tile memory after its first windows fill.
/// </summary>
internal sealed class TilePool(int capacity = 64)
{
    private readonly ConcurrentBag<Tile> _free = [];

    public static TilePool Shared { get; } = new();

    public Tile Rent() => _free.TryTake(out var tile) ? tile : new Tile();

    public void Return(Tile tile)
    {
        if (_free.Count < capacity)
        {
            _free.Add(tile);
        }
    }
}
