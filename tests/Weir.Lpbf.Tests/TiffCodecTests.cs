using BitMiracle.LibTiff.Classic;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Lpbf.Tests;

public sealed class TiffCodecTests
{
    [Fact]
    public void Encoded_tiles_decode_to_the_same_pixels_on_the_fast_path_and_through_LibTiff()
    {
        var pixels = OutlierDetectorTests.RandomTile(new Random(1), 130, 77);
        var tiff = TiffTileEncoder.Encode(pixels, 130, 77);

        var fast = new Tile();
        Assert.True(TiffTileDecoder.TryDecodeStrips(tiff, fast));
        Assert.Equal(pixels, fast.ToArray());
        Assert.Equal(pixels, ReadWithLibTiff(tiff));
    }

    [Fact]
    public void Libdeflate_inflates_what_zlib_does_and_refuses_what_does_not_fit()
    {
        // scripts/test-deps.sh installs libdeflate0, so the fast path is what these tests exercise; the decoder
        // falls back to ZLibStream on a machine without it.
        Assert.True(LibDeflate.IsAvailable, "libdeflate.so.0 cannot be loaded: install Debian's libdeflate0");
        var plain = new byte[64_000];
        new Random(4).NextBytes(plain.AsSpan(0, 32_000)); // half noise, half zeros: literals and long matches
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(plain);
        }

        var stream = compressed.ToArray();
        var output = new byte[plain.Length];
        Assert.True(LibDeflate.TryInflateExactly(stream, output));
        Assert.Equal(plain, output);

        Assert.False(LibDeflate.TryInflateExactly(stream, new byte[plain.Length + 1]), "a stream shorter than the buffer");
        Assert.False(LibDeflate.TryInflateExactly(stream, new byte[plain.Length - 1]), "a stream longer than the buffer");
        Assert.False(LibDeflate.TryInflateExactly(stream.AsSpan(0, stream.Length / 2), output), "a truncated stream");
    }

    [Fact]
    public void A_reused_tile_that_held_other_pixels_decodes_with_zero_margins()
    {
        // Pooled tiles come back dirty; the fast path rewrites the pixels and clears only the margins, which
        // the Q2 kernels read as the zero padding outside the image.
        var pixels = OutlierDetectorTests.RandomTile(new Random(3), 130, 77);
        var tile = new Tile();
        tile.Reset(140, 90);
        tile.Buffer.AsSpan().Fill(0xFFFF);

        Assert.True(TiffTileDecoder.TryDecodeStrips(TiffTileEncoder.Encode(pixels, 130, 77), tile));

        Assert.Equal(pixels, tile.ToArray());
        var used = (tile.Rows + 2 * Tile.Pad) * tile.Stride;
        for (var i = 0; i < used; i++)
        {
            var row = i / tile.Stride - Tile.Pad;
            var col = i % tile.Stride;
            if (row < 0 || row >= tile.Rows || col >= tile.Cols)
            {
                Assert.True(tile.Buffer[i] == 0, $"margin element {i} (row {row}, column {col}) is {tile.Buffer[i]}");
            }
        }
    }

    [Theory]
    [InlineData(Compression.LZW, Predictor.NONE, false)]
    [InlineData(Compression.ADOBE_DEFLATE, Predictor.HORIZONTAL, false)]
    [InlineData(Compression.NONE, Predictor.NONE, false)]
    [InlineData(Compression.DEFLATE, Predictor.NONE, false)]
    [InlineData(Compression.PACKBITS, Predictor.NONE, true)]
    [InlineData(Compression.ADOBE_DEFLATE, Predictor.NONE, true)]
    public void Tiles_written_by_LibTiff_in_other_layouts_decode_the_same(Compression compression, Predictor predictor, bool tiled)
    {
        var pixels = OutlierDetectorTests.RandomTile(new Random(2), 100, 60);
        var tiff = WriteWithLibTiff(pixels, 100, 60, compression, predictor, tiled);
        var tile = new Tile();
        TiffTileDecoder.Decode(tiff, tile);
        Assert.Equal(100, tile.Rows);
        Assert.Equal(60, tile.Cols);
        Assert.Equal(pixels, tile.ToArray());
    }

    [Fact]
    public void Big_endian_files_decode_on_the_fast_path()
    {
        var pixels = OutlierDetectorTests.RandomTile(new Random(3), 40, 50);
        var tiff = WriteWithLibTiff(pixels, 40, 50, Compression.ADOBE_DEFLATE, Predictor.NONE, tiled: false, bigEndian: true);
        Assert.Equal((byte)'M', tiff[0]);
        var tile = new Tile();
        Assert.True(TiffTileDecoder.TryDecodeStrips(tiff, tile));
        Assert.Equal(pixels, tile.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "not a TIFF")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0, 0, 0 }, "byte-order mark")]
    public void Garbage_is_rejected_with_a_clear_reason(byte[] bytes, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => TiffTileDecoder.Decode(bytes, new Tile()));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_strip_is_rejected_not_half_read()
    {
        var tiff = TiffTileEncoder.Encode(OutlierDetectorTests.RandomTile(new Random(4), 200, 200), 200, 200);
        var truncated = tiff.AsSpan(0, tiff.Length / 2).ToArray();
        Assert.Throws<InvalidDataException>(() => TiffTileDecoder.Decode(truncated, new Tile()));
    }

    [Fact]
    public void Eight_bit_images_are_refused_with_the_reason()
    {
        var tiff = WriteWithLibTiff(new ushort[16], 4, 4, Compression.NONE, Predictor.NONE, tiled: false, bits: 8);
        var error = Assert.Throws<InvalidDataException>(() => TiffTileDecoder.Decode(tiff, new Tile()));
        Assert.Contains("16-bit", error.Message, StringComparison.Ordinal);
    }

    internal static ushort[] ReadWithLibTiff(byte[] tiff)
    {
        using var image = Tiff.ClientOpen("t", "r", new MemoryStream(tiff), new TiffStream());
        var width = image.GetField(TiffTag.IMAGEWIDTH)[0].ToInt();
        var height = image.GetField(TiffTag.IMAGELENGTH)[0].ToInt();
        var pixels = new ushort[width * height];
        var line = new byte[image.ScanlineSize()];
        for (var r = 0; r < height; r++)
        {
            Assert.True(image.ReadScanline(line, r));
            Buffer.BlockCopy(line, 0, pixels, r * width * 2, width * 2);
        }

        return pixels;
    }

    private static byte[] WriteWithLibTiff(ushort[] pixels, int rows, int cols, Compression compression, Predictor predictor, bool tiled, bool bigEndian = false, int bits = 16)
    {
        var output = new MemoryStream();
        using (var image = Tiff.ClientOpen("t", bigEndian ? "wb" : "wl", output, new TiffStream()))
        {
            image.SetField(TiffTag.IMAGEWIDTH, cols);
            image.SetField(TiffTag.IMAGELENGTH, rows);
            image.SetField(TiffTag.BITSPERSAMPLE, bits);
            image.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            image.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            image.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            image.SetField(TiffTag.COMPRESSION, compression);
            if (predictor != Predictor.NONE)
            {
                image.SetField(TiffTag.PREDICTOR, predictor);
            }

            var bytesPerPixel = bits / 8;
            if (tiled)
            {
                image.SetField(TiffTag.TILEWIDTH, 16);
                image.SetField(TiffTag.TILELENGTH, 16);
                var buffer = new byte[16 * 16 * bytesPerPixel];
                for (var top = 0; top < rows; top += 16)
                {
                    for (var left = 0; left < cols; left += 16)
                    {
                        Array.Clear(buffer);
                        for (var r = 0; r < 16 && top + r < rows; r++)
                        {
                            for (var c = 0; c < 16 && left + c < cols; c++)
                            {
                                var v = pixels[(top + r) * cols + left + c];
                                buffer[(r * 16 + c) * 2] = (byte)v;
                                buffer[(r * 16 + c) * 2 + 1] = (byte)(v >> 8);
                            }
                        }

                        image.WriteTile(buffer, left, top, 0, 0);
                    }
                }
            }
            else
            {
                image.SetField(TiffTag.ROWSPERSTRIP, 7);
                var line = new byte[cols * bytesPerPixel];
                for (var r = 0; r < rows; r++)
                {
                    if (bits == 16)
                    {
                        Buffer.BlockCopy(pixels, r * cols * 2, line, 0, line.Length);
                    }

                    image.WriteScanline(line, r);
                }
            }
        }

        return output.ToArray();
    }
}
