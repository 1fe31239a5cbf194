namespace Weir.Pipelines.Lpbf.Formats;

/// <summary>
/// One challenger batch: one tile of one layer (the map <c>next_batch</c> returns). <see cref="Tiff"/> points into
/// the message it was read from; nothing is copied.
/// </summary>
internal readonly record struct Batch(long BatchId, string PrintId, int TileId, int Layer, ReadOnlyMemory<byte> Tiff);
