using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Pipelines.Lpbf.Imaging;

/// <summary>
/// Decodes a single-page 16-bit greyscale TIFF into a <see cref="Tile"/>. The layout the challenge uses (strips,
/// Deflate or no compression, optional horizontal predictor, either byte order) is read in place: each strip is
/// inflated in one call (libdeflate where installed, see <see cref="LibDeflate"/>, else the runtime's zlib) into a
/// pooled buffer and its rows copied into the tile's padded layout. Anything else (tiled images, LZW, PackBits,
/// BigTIFF) goes through LibTiff.NET.
/// </summary>
internal static class TiffTileDecoder
{
    private const ushort TagImageWidth = 256;
    private const ushort TagImageLength = 257;
    private const ushort TagBitsPerSample = 258;
    private const ushort TagCompression = 259;
    private const ushort TagFillOrder = 266;
    private const ushort TagStripOffsets = 273;
    private const ushort TagSamplesPerPixel = 277;
    private const ushort TagRowsPerStrip = 278;
    private const ushort TagStripByteCounts = 279;
    private const ushort TagPredictor = 317;
    private const ushort TagTileWidth = 322;
    private const ushort TagSampleFormat = 339;

    private const int CompressionNone = 1;
    private const int CompressionAdobeDeflate = 8;
    private const int CompressionDeflate = 32946;

    static TiffTileDecoder() => LibTiffQuiet.Install();

    /// <summary>Decodes <paramref name="tiff"/> into <paramref name="into"/> (resized to the image).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a TIFF this decoder can read; the message says why.</exception>
    public static void Decode(ReadOnlyMemory<byte> tiff, Tile into)
    {
        if (!TryDecodeStrips(tiff, into))
        {
            DecodeWithLibTiff(tiff, into);
        }
    }

    /// <summary>The fast path. Returns false for layouts it leaves to LibTiff.NET; throws for damaged data.</summary>
    internal static bool TryDecodeStrips(ReadOnlyMemory<byte> tiff, Tile into)
    {
        var data = tiff.Span;
        if (data.Length < 8)
        {
            throw new InvalidDataException($"not a TIFF: {data.Length} bytes");
        }

        bool little;
        if (data[0] == (byte)'I' && data[1] == (byte)'I')
        {
            little = true;
        }
        else if (data[0] == (byte)'M' && data[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            throw new InvalidDataException("not a TIFF: the byte-order mark is neither II nor MM");
        }

        var magic = U16(data, 2, little);
        if (magic == 43)
        {
            return false; // BigTIFF
        }

        if (magic != 42)
        {
            throw new InvalidDataException($"not a TIFF: magic number {magic}");
        }

        var ifd = U32(data, 4, little);
        if (ifd < 8 || ifd > data.Length - 2)
        {
            throw new InvalidDataException($"TIFF directory offset {ifd} is outside the {data.Length} bytes");
        }

        int entries = U16(data, (int)ifd, little);
        var entriesEnd = (long)ifd + 2 + entries * 12L;
        if (entriesEnd > data.Length)
        {
            throw new InvalidDataException("TIFF directory runs past the end of the data");
        }

        long width = -1, height = -1, bits = 1, samples = 1, compression = CompressionNone, predictor = 1, rowsPerStrip = uint.MaxValue;
        long sampleFormat = 1, fillOrder = 1;
        Field offsets = default, counts = default;
        for (var i = 0; i < entries; i++)
        {
            var entry = (int)ifd + 2 + i * 12;
            var tag = U16(data, entry, little);
            var field = new Field(U16(data, entry + 2, little), U32(data, entry + 4, little), entry + 8);
            switch (tag)
            {
                case TagImageWidth: width = field.First(data, little); break;
                case TagImageLength: height = field.First(data, little); break;
                case TagBitsPerSample: bits = field.First(data, little); break;
                case TagCompression: compression = field.First(data, little); break;
                case TagFillOrder: fillOrder = field.First(data, little); break;
                case TagStripOffsets: offsets = field; break;
                case TagSamplesPerPixel: samples = field.First(data, little); break;
                case TagRowsPerStrip: rowsPerStrip = field.First(data, little); break;
                case TagStripByteCounts: counts = field; break;
                case TagPredictor: predictor = field.First(data, little); break;
                case TagTileWidth: return false;
                case TagSampleFormat: sampleFormat = field.First(data, little); break;
                default: break;
            }
        }

        if (bits != 16 || samples != 1 || sampleFormat != 1 || fillOrder != 1 || predictor is not (1 or 2)
            || compression is not (CompressionNone or CompressionAdobeDeflate or CompressionDeflate) || offsets.Count == 0)
        {
            return false;
        }

        if (width <= 0 || height <= 0 || width > 1 << 15 || height > 1 << 15)
        {
            throw new InvalidDataException($"TIFF image size {width}x{height} is not supported");
        }

        if (rowsPerStrip <= 0 || rowsPerStrip > height)
        {
            rowsPerStrip = height;
        }

        var strips = (height + rowsPerStrip - 1) / rowsPerStrip;
        if (offsets.Count < strips || counts.Count < strips)
        {
            throw new InvalidDataException($"TIFF has {offsets.Count} strip offsets and {counts.Count} byte counts for {strips} strips");
        }

        var rows = (int)height;
        var cols = (int)width;
        into.ResetForOverwrite(rows, cols); // the strips cover every row (checked above), each row in full
        for (var s = 0; s < strips; s++)
        {
            var offset = offsets.At(data, s, little);
            var count = counts.At(data, s, little);
            if (offset + count > data.Length)
            {
                throw new InvalidDataException($"TIFF strip {s} ({count} bytes at {offset}) runs past the end of the data");
            }

            var first = (int)(s * rowsPerStrip);
            var last = (int)Math.Min(height, first + rowsPerStrip);
            var strip = tiff.Slice((int)offset, (int)count);
            if (compression == CompressionNone)
            {
                CopyStrip(strip.Span, into, first, last);
            }
            else
            {
                InflateStrip(strip, into, first, last, s);
            }
        }

        for (var r = 0; r < rows; r++)
        {
            var row = into.Row(r);
            if (!little)
            {
                BinaryPrimitives.ReverseEndianness(row, row);
            }

            if (predictor == 2)
            {
                UndoHorizontalPredictor(row);
            }
        }

        return true;
    }

    private static void CopyStrip(ReadOnlySpan<byte> strip, Tile into, int first, int last)
    {
        var rowBytes = into.Cols * 2;
        if (strip.Length < (last - first) * rowBytes)
        {
            throw new InvalidDataException($"TIFF strip for rows {first}..{last - 1} holds {strip.Length} bytes, {(last - first) * rowBytes} needed");
        }

        for (var r = first; r < last; r++)
        {
            strip.Slice((r - first) * rowBytes, rowBytes).CopyTo(MemoryMarshal.AsBytes(into.Row(r)));
        }
    }

    private static void InflateStrip(ReadOnlyMemory<byte> strip, Tile into, int first, int last, int index)
    {
        // One inflate call per strip into a pooled scratch buffer, then row copies into the tile's padded layout:
        // measurably cheaper than asking zlib for one row at a time.
        var rowBytes = into.Cols * 2;
        var length = (last - first) * rowBytes;
        var scratch = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!LibDeflate.TryInflateExactly(strip.Span, scratch.AsSpan(0, length)))
            {
                using var zlib = new ZLibStream(new ReadOnlyMemoryStream(strip), CompressionMode.Decompress);
                zlib.ReadExactly(scratch.AsSpan(0, length));
            }

            for (var r = first; r < last; r++)
            {
                scratch.AsSpan((r - first) * rowBytes, rowBytes).CopyTo(MemoryMarshal.AsBytes(into.Row(r)));
            }
        }
        catch (Exception error) when (error is EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"TIFF strip {index} (rows {first}..{last - 1}) does not inflate: {error.Message}", error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void UndoHorizontalPredictor(Span<ushort> row)
    {
        var previous = row[0];
        for (var c = 1; c < row.Length; c++)
        {
            previous = row[c] = (ushort)(row[c] + previous);
        }
    }

    private static void DecodeWithLibTiff(ReadOnlyMemory<byte> tiff, Tile into)
    {
        var bytes = tiff.ToArray();
        using var image = Tiff.ClientOpen("tile", "r", new MemoryStream(bytes, writable: false), new TiffStream())
            ?? throw new InvalidDataException("LibTiff.NET cannot open the TIFF");
        var width = image.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
        var height = image.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
        var bits = image.GetField(TiffTag.BITSPERSAMPLE)?[0].ToInt() ?? 1;
        var samples = image.GetField(TiffTag.SAMPLESPERPIXEL)?[0].ToInt() ?? 1;
        var format = image.GetField(TiffTag.SAMPLEFORMAT)?[0].ToInt() ?? 1;
        if (bits != 16 || samples != 1 || format != 1)
        {
            throw new InvalidDataException(
                $"only 16-bit unsigned single-channel TIFF tiles are supported; this one has {bits} bits, {samples} samples, sample format {format}");
        }

        if (width <= 0 || height <= 0 || width > 1 << 15 || height > 1 << 15)
        {
            throw new InvalidDataException($"TIFF image size {width}x{height} is not supported");
        }

        into.Reset(height, width);
        if (image.IsTiled())
        {
            ReadTiles(image, into);
            return;
        }

        var line = new byte[image.ScanlineSize()];
        for (var r = 0; r < height; r++)
        {
            if (!image.ReadScanline(line, r))
            {
                throw new InvalidDataException($"LibTiff.NET cannot read row {r} of the TIFF");
            }

            MemoryMarshal.Cast<byte, ushort>(line.AsSpan(0, width * 2)).CopyTo(into.Row(r));
        }
    }

    private static void ReadTiles(Tiff image, Tile into)
    {
        var tileWidth = image.GetField(TiffTag.TILEWIDTH)[0].ToInt();
        var tileHeight = image.GetField(TiffTag.TILELENGTH)[0].ToInt();
        var buffer = new byte[image.TileSize()];
        for (var top = 0; top < into.Rows; top += tileHeight)
        {
            for (var left = 0; left < into.Cols; left += tileWidth)
            {
                if (image.ReadTile(buffer, 0, left, top, 0, 0) < 0)
                {
                    throw new InvalidDataException($"LibTiff.NET cannot read the TIFF tile at row {top}, column {left}");
                }

                var pixels = MemoryMarshal.Cast<byte, ushort>(buffer.AsSpan());
                var rows = Math.Min(tileHeight, into.Rows - top);
                var cols = Math.Min(tileWidth, into.Cols - left);
                for (var r = 0; r < rows; r++)
                {
                    pixels.Slice(r * tileWidth, cols).CopyTo(into.Row(top + r)[left..]);
                }
            }
        }
    }

    private static ushort U16(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);

    private static uint U32(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt32BigEndian(data[at..]);

    /// <summary>A directory entry: SHORT or LONG values, inline when they fit in four bytes.</summary>
    private readonly record struct Field(ushort Type, uint Count, int InlineAt)
    {
        public long First(ReadOnlySpan<byte> data, bool little) => Count == 0 ? -1 : At(data, 0, little);

        public long At(ReadOnlySpan<byte> data, long index, bool little)
        {
            var size = Type switch
            {
                3 => 2,
                4 => 4,
                _ => throw new InvalidDataException($"TIFF field type {Type} where SHORT or LONG was expected"),
            };
            long at = Count * size <= 4 ? InlineAt : U32(data, InlineAt, little);
            var position = at + index * size;
            if (position + size > data.Length)
            {
                throw new InvalidDataException("TIFF field value runs past the end of the data");
            }

            return size == 2 ? U16(data, (int)position, little) : U32(data, (int)position, little);
        }
    }
}
