namespace Weir.Pipelines.Lpbf.Data;

/// <summary>
/// The tiles a Local Challenger serves, in stream order (batch id = index): a generated print
/// (<see cref="GeneratedDataSet"/>) or a folder of the user's own TIFF files (<see cref="TileFolderDataSet"/>).
/// </summary>
internal interface ITileDataSet
{
    /// <summary>One line for logs and /dash, e.g. "generated print SI…, 225 layers × 16 tiles (seed 2025)".</summary>
    string Description { get; }

    int Count { get; }

    TileEntry this[int index] { get; }

    /// <summary>The TIFF file of tile <paramref name="index"/>; a generated data set writes it first when needed.</summary>
    ValueTask<string> GetTiffPathAsync(int index, CancellationToken cancellationToken);
}
