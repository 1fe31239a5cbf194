namespace Weir.Pipelines.PlantSync.Workload;

/// <summary>
/// A small baseline JPEG encoder (JFIF, 8-bit, YCbCr 4:4:4, the standard quantisation and Huffman tables of
/// ITU-T T.81 Annex K, IJG quality scaling). Enough to make the workload's leaf pictures real JPEG files that
/// any decoder opens, without an imaging dependency.
/// </summary>
internal static class JpegEncoder
{
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private static readonly byte[] LumaQuantisation =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly byte[] ChromaQuantisation =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    internal static readonly byte[] DcLumaBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    internal static readonly byte[] DcChromaBits = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    internal static readonly byte[] DcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    internal static readonly byte[] AcLumaBits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
    internal static readonly byte[] AcLumaValues =
    [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
        0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
        0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa,
    ];

    internal static readonly byte[] AcChromaBits = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
    internal static readonly byte[] AcChromaValues =
    [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
        0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
        0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
        0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
        0xf9, 0xfa,
    ];

    private static readonly HuffmanTable DcLuma = new(DcLumaBits, DcValues);
    private static readonly HuffmanTable AcLuma = new(AcLumaBits, AcLumaValues);
    private static readonly HuffmanTable DcChroma = new(DcChromaBits, DcValues);
    private static readonly HuffmanTable AcChroma = new(AcChromaBits, AcChromaValues);

    /// <summary>cos((2x+1)uπ/16), indexed [u * 8 + x].</summary>
    private static readonly double[] Cosines = BuildCosines();

    /// <summary>Encodes an RGB raster (3 bytes per pixel, rows top to bottom) as a baseline JPEG.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height, int quality = 75)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 65535);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 65535);
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"expected {width * height * 3} bytes of RGB, got {rgb.Length}", nameof(rgb));
        }

        var lumaTable = Scale(LumaQuantisation, quality);
        var chromaTable = Scale(ChromaQuantisation, quality);
        var output = new MemoryStream((width * height / 2) + 1024);
        WriteHeaders(output, width, height, lumaTable, chromaTable);

        var bits = new BitWriter(output);
        Span<double> block = stackalloc double[64];
        Span<int> coefficients = stackalloc int[64];
        int previousY = 0, previousCb = 0, previousCr = 0;
        for (var blockY = 0; blockY < height; blockY += 8)
        {
            for (var blockX = 0; blockX < width; blockX += 8)
            {
                // One MCU of 4:4:4 is an 8x8 block of each component, in component order.
                for (var component = 0; component < 3; component++)
                {
                    LoadBlock(rgb, width, height, blockX, blockY, component, block);
                    Transform(block, component == 0 ? lumaTable : chromaTable, coefficients);
                    ref var previous = ref component == 0 ? ref previousY : ref component == 1 ? ref previousCb : ref previousCr;
                    EncodeBlock(bits, coefficients, ref previous, component == 0 ? DcLuma : DcChroma, component == 0 ? AcLuma : AcChroma);
                }
            }
        }

        bits.Flush();
        output.WriteByte(0xFF);
        output.WriteByte(0xD9);
        return output.ToArray();
    }

    private static byte[] Scale(byte[] table, int quality)
    {
        quality = Math.Clamp(quality, 1, 100);
        var scale = quality < 50 ? 5000 / quality : 200 - (quality * 2);
        var scaled = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            scaled[i] = (byte)Math.Clamp(((table[i] * scale) + 50) / 100, 1, 255);
        }

        return scaled;
    }

    private static void WriteHeaders(MemoryStream output, int width, int height, byte[] luma, byte[] chroma)
    {
        output.Write([0xFF, 0xD8]);
        output.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);

        // Quantisation tables are stored in zig-zag order.
        output.Write([0xFF, 0xDB, 0x00, 0x84]);
        foreach (var (id, table) in new[] { (0, luma), (1, chroma) })
        {
            output.WriteByte((byte)id);
            for (var i = 0; i < 64; i++)
            {
                output.WriteByte(table[ZigZag[i]]);
            }
        }

        output.Write([0xFF, 0xC0, 0x00, 0x11, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x03]);
        output.Write([0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);

        foreach (var (classAndId, bitCounts, values) in new[]
        {
            (0x00, DcLumaBits, DcValues), (0x10, AcLumaBits, AcLumaValues), (0x01, DcChromaBits, DcValues), (0x11, AcChromaBits, AcChromaValues),
        })
        {
            var length = 2 + 1 + 16 + values.Length;
            output.Write([0xFF, 0xC4, (byte)(length >> 8), (byte)length, (byte)classAndId]);
            output.Write(bitCounts);
            output.Write(values);
        }

        output.Write([0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]);
    }

    /// <summary>Loads one component of an 8x8 block, level-shifted by -128; pixels past the edge repeat the edge.</summary>
    private static void LoadBlock(ReadOnlySpan<byte> rgb, int width, int height, int blockX, int blockY, int component, Span<double> block)
    {
        for (var y = 0; y < 8; y++)
        {
            var row = Math.Min(blockY + y, height - 1);
            for (var x = 0; x < 8; x++)
            {
                var pixel = ((row * width) + Math.Min(blockX + x, width - 1)) * 3;
                double r = rgb[pixel], g = rgb[pixel + 1], b = rgb[pixel + 2];
                block[(y * 8) + x] = component switch
                {
                    0 => (0.299 * r) + (0.587 * g) + (0.114 * b) - 128,
                    1 => (-0.168736 * r) - (0.331264 * g) + (0.5 * b),
                    _ => (0.5 * r) - (0.418688 * g) - (0.081312 * b),
                };
            }
        }
    }

    /// <summary>Forward DCT (separable, straight from the definition), quantisation, zig-zag order.</summary>
    private static void Transform(Span<double> block, byte[] quantisation, Span<int> coefficients)
    {
        Span<double> rows = stackalloc double[64];
        for (var y = 0; y < 8; y++)
        {
            for (var u = 0; u < 8; u++)
            {
                double sum = 0;
                for (var x = 0; x < 8; x++)
                {
                    sum += block[(y * 8) + x] * Cosines[(u * 8) + x];
                }

                rows[(y * 8) + u] = sum * (u == 0 ? Math.Sqrt(0.5) : 1) / 2;
            }
        }

        for (var u = 0; u < 8; u++)
        {
            for (var v = 0; v < 8; v++)
            {
                double sum = 0;
                for (var y = 0; y < 8; y++)
                {
                    sum += rows[(y * 8) + u] * Cosines[(v * 8) + y];
                }

                var value = sum * (v == 0 ? Math.Sqrt(0.5) : 1) / 2;
                block[(v * 8) + u] = value;
            }
        }

        for (var i = 0; i < 64; i++)
        {
            var natural = ZigZag[i];
            coefficients[i] = (int)Math.Round(block[natural] / quantisation[natural], MidpointRounding.AwayFromZero);
        }
    }

    private static void EncodeBlock(BitWriter bits, Span<int> coefficients, ref int previousDc, HuffmanTable dc, HuffmanTable ac)
    {
        var difference = coefficients[0] - previousDc;
        previousDc = coefficients[0];
        var category = Category(difference);
        bits.Write(dc.Codes[category], dc.Lengths[category]);
        bits.Write(Magnitude(difference, category), category);

        var run = 0;
        for (var i = 1; i < 64; i++)
        {
            var value = coefficients[i];
            if (value == 0)
            {
                run++;
                continue;
            }

            while (run > 15)
            {
                bits.Write(ac.Codes[0xF0], ac.Lengths[0xF0]);
                run -= 16;
            }

            category = Category(value);
            var symbol = (run << 4) | category;
            bits.Write(ac.Codes[symbol], ac.Lengths[symbol]);
            bits.Write(Magnitude(value, category), category);
            run = 0;
        }

        if (run > 0)
        {
            bits.Write(ac.Codes[0x00], ac.Lengths[0x00]);
        }
    }

    private static int Category(int value)
    {
        var magnitude = Math.Abs(value);
        return magnitude == 0 ? 0 : 32 - int.LeadingZeroCount(magnitude);
    }

    /// <summary>The value's bits: positive as is, negative as its ones' complement (T.81 F.1.2.1).</summary>
    private static int Magnitude(int value, int category) => value >= 0 ? value : (value - 1) & ((1 << category) - 1);

    private static double[] BuildCosines()
    {
        var cosines = new double[64];
        for (var u = 0; u < 8; u++)
        {
            for (var x = 0; x < 8; x++)
            {
                cosines[(u * 8) + x] = Math.Cos(((2 * x) + 1) * u * Math.PI / 16);
            }
        }

        return cosines;
    }

    /// <summary>Canonical Huffman codes built from a table's code-length counts (T.81 Annex C).</summary>
    private sealed class HuffmanTable
    {
        public HuffmanTable(byte[] bitCounts, byte[] values)
        {
            var code = 0;
            var k = 0;
            for (var length = 1; length <= 16; length++)
            {
                for (var i = 0; i < bitCounts[length - 1]; i++)
                {
                    Codes[values[k]] = code++;
                    Lengths[values[k]] = length;
                    k++;
                }

                code <<= 1;
            }
        }

        public int[] Codes { get; } = new int[256];

        public int[] Lengths { get; } = new int[256];
    }

    /// <summary>Writes entropy-coded bits most significant first, stuffing a zero byte after every 0xFF.</summary>
    private sealed class BitWriter(Stream output)
    {
        private uint _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            if (length == 0)
            {
                return;
            }

            _buffer = (_buffer << length) | ((uint)value & ((1u << length) - 1));
            _count += length;
            while (_count >= 8)
            {
                var b = (byte)(_buffer >> (_count - 8));
                output.WriteByte(b);
                if (b == 0xFF)
                {
                    output.WriteByte(0x00);
                }

                _count -= 8;
            }
        }

        /// <summary>Pads the last byte with one bits.</summary>
        public void Flush()
        {
            if (_count > 0)
            {
                Write((1 << (8 - _count)) - 1, 8 - _count);
            }
        }
    }
}
