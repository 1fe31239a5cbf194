using System.Runtime.CompilerServices;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// One decoded 16-bit tile in the layout the kernels read without bounds checks: <see cref="Pad"/> rows of zeros
/// above and below, rows <see cref="Stride"/> elements apart (a multiple of 16) with zeros after the last column.
/// The zero margins are the challenge's zero padding. Tiles are pooled (<see cref="TilePool"/>): reuse keeps the
/// margins zero because nothing writes outside the image.
/// </summary>
internal sealed class Tile
{
    /// <summary>Zero rows above and below the image: the farthest row a Q2 neighbourhood reaches (Manhattan 4).</summary>
    public const int Pad = 4;

    private ushort[] _buffer = [];

    public int Rows { get; private set; }

    public int Cols { get; private set; }

    /// <summary>Elements between the starts of two rows; at least <see cref="Cols"/>, a multiple of 16.</summary>
    public int Stride { get; private set; }

    /// <summary>The whole buffer, margins included: row r starts at <c>(r + Pad) * Stride</c>.</summary>
    internal ushort[] Buffer => _buffer;

    /// <summary>Makes the tile rows × cols with every pixel zero.</summary>
    public void Reset(int rows, int cols)
    {
        Resize(rows, cols);
        Array.Clear(_buffer, 0, (rows + 2 * Pad) * Stride);
    }

    /// <summary>
    /// Makes the tile rows × cols with zero margins and the pixels left as they are, for a caller that writes every
    /// pixel of every row next (the TIFF decoder): clearing the whole half megabyte again for each tile showed in
    /// profiles of the end-to-end run.
    /// </summary>
    public void ResetForOverwrite(int rows, int cols)
    {
        Resize(rows, cols);
        var stride = Stride;
        _buffer.AsSpan(0, Pad * stride).Clear();
        _buffer.AsSpan((rows + Pad) * stride, Pad * stride).Clear();
        if (stride > cols)
        {
            for (var r = 0; r < rows; r++)
            {
                _buffer.AsSpan((r + Pad) * stride + cols, stride - cols).Clear();
            }
        }
    }

    private void Resize(int rows, int cols)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"tile size {rows}x{cols} is not positive");
        }

        var stride = (cols + 15) & ~15;
        var length = (rows + 2 * Pad) * stride;
        if (_buffer.Length < length)
        {
            _buffer = GC.AllocateUninitializedArray<ushort>(length);
        }

        Rows = rows;
        Cols = cols;
        Stride = stride;
    }

    /// <summary>The pixels of row r (exactly <see cref="Cols"/> of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<ushort> Row(int r) => _buffer.AsSpan((r + Pad) * Stride, Cols);

    public ushort this[int r, int c]
    {
        get => _buffer[(r + Pad) * Stride + c];
        set => _buffer[(r + Pad) * Stride + c] = value;
    }

    /// <summary>Copies a row-major image (rows × cols values) into the tile.</summary>
    public void CopyFrom(ReadOnlySpan<ushort> pixels, int rows, int cols)
    {
        if (pixels.Length != rows * cols)
        {
            throw new ArgumentException($"{pixels.Length} pixels for a {rows}x{cols} tile", nameof(pixels));
        }

        Reset(rows, cols);
        for (var r = 0; r < rows; r++)
        {
            pixels.Slice(r * cols, cols).CopyTo(Row(r));
        }
    }

    /// <summary>The pixels as a row-major array (tests, plots).</summary>
    public ushort[] ToArray()
    {
        var pixels = new ushort[Rows * Cols];
        for (var r = 0; r < Rows; r++)
        {
            Row(r).CopyTo(pixels.AsSpan(r * Cols, Cols));
        }

        return pixels;
    }

    public bool SameSize(Tile other) => Rows == other.Rows && Cols == other.Cols;
}
