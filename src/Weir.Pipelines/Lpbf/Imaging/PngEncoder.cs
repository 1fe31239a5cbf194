using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Weir.Pipelines.Lpbf.Imaging;

/// <summary>
/// Writes 8-bit greyscale PNG images (the emulator's plots show a tile as one). PNG is zlib-compressed scanlines
/// in CRC-checked chunks; the runtime's zlib does the compression.
/// </summary>
internal static class PngEncoder
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes rows × cols grey levels, row-major.</summary>
    public static byte[] EncodeGray(ReadOnlySpan<byte> pixels, int rows, int cols)
    {
        if (pixels.Length != rows * cols)
        {
            throw new ArgumentException($"{pixels.Length} pixels for a {rows}x{cols} image", nameof(pixels));
        }

        var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, cols);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], rows);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var r = 0; r < rows; r++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(pixels.Slice(r * cols, cols));
            }
        }

        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Grey levels for a 16-bit tile: 0 → black, 65535 → white, linear.</summary>
    public static byte[] ToGray(ReadOnlySpan<ushort> pixels)
    {
        var gray = new byte[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            gray[i] = (byte)(pixels[i] >> 8);
        }

        return gray;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> name = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, name);
        output.Write(name);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFF, name), data) ^ 0xFFFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
