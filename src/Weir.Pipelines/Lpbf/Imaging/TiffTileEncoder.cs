using System.IO.Compression;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;

namespace Weir.Pipelines.Lpbf.Imaging;

/// <summary>
/// Writes 16-bit greyscale tiles as the challenge distributes them: single-page TIFF, little-endian, Adobe Deflate
/// (compression 8), strips of <see cref="RowsPerStrip"/> rows, no predictor (what Pillow writes by default).
/// LibTiff.NET writes the container; the strips are compressed by the runtime's zlib and handed over raw, because
/// LibTiff.NET's managed Deflate is an order of magnitude slower and the generator writes thousands of tiles.
/// </summary>
internal static class TiffTileEncoder
{
    public const int RowsPerStrip = 64;

    static TiffTileEncoder() => LibTiffQuiet.Install();

    /// <param name="pixels">rows × cols values, row-major.</param>
    public static byte[] Encode(ReadOnlySpan<ushort> pixels, int rows, int cols, CompressionLevel level = CompressionLevel.Optimal)
    {
        if (pixels.Length != rows * cols)
        {
            throw new ArgumentException($"{pixels.Length} pixels for a {rows}x{cols} tile", nameof(pixels));
        }

        var output = new MemoryStream(rows * cols);
        using (var image = Tiff.ClientOpen("tile", "w", output, new TiffStream())
            ?? throw new InvalidOperationException("LibTiff.NET cannot create a TIFF"))
        {
            image.SetField(TiffTag.IMAGEWIDTH, cols);
            image.SetField(TiffTag.IMAGELENGTH, rows);
            image.SetField(TiffTag.BITSPERSAMPLE, 16);
            image.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            image.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.UINT);
            image.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            image.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            image.SetField(TiffTag.COMPRESSION, Compression.ADOBE_DEFLATE);
            image.SetField(TiffTag.ROWSPERSTRIP, RowsPerStrip);
            var bytes = MemoryMarshal.AsBytes(pixels);
            var rowBytes = cols * 2;
            var strip = new MemoryStream();
            for (int first = 0, index = 0; first < rows; first += RowsPerStrip, index++)
            {
                var count = Math.Min(RowsPerStrip, rows - first);
                strip.SetLength(0);
                using (var zlib = new ZLibStream(strip, level, leaveOpen: true))
                {
                    zlib.Write(bytes.Slice(first * rowBytes, count * rowBytes));
                }

                if (image.WriteRawStrip(index, strip.GetBuffer(), (int)strip.Length) < 0)
                {
                    throw new InvalidOperationException($"LibTiff.NET cannot write strip {index}");
                }
            }

            image.WriteDirectory();
        }

        return output.ToArray();
    }
}
