namespace Weir.Pipelines.Lpbf.Data;

/// <summary>What the synthetic print looks like; the same options always give the same bytes.</summary>
internal sealed record GeneratorOptions
{
    public int Seed { get; init; } = 2025;

    public int Layers { get; init; } = LpbfConstants.Layers;

    /// <summary>Edge length of a tile; a layer is a 4 × 4 grid of tiles.</summary>
    public int TileSize { get; init; } = LpbfConstants.TileSize;

    public string PrintId { get; init; } = LpbfConstants.DefaultPrintId;

    /// <summary>A folder name that identifies these options (and the generator's version) in a cache.</summary>
    public string CacheKey => $"generated-v{LayerGenerator.Version}-seed{Seed}-layers{Layers}-size{TileSize}-{PrintId}";
}
