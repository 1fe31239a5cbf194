namespace Weir.Pipelines.Lpbf.Data;

/// <summary>What a data set says about one tile: the batch fields besides the TIFF itself.</summary>
internal readonly record struct TileEntry(string PrintId, int Layer, int TileId);
