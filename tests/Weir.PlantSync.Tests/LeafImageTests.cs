using Weir.Pipelines.PlantSync.Workload;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

public sealed class LeafImageTests
{
    [Fact]
    public void The_standard_huffman_tables_are_complete()
    {
        Assert.Equal(JpegEncoder.DcValues.Length, JpegEncoder.DcLumaBits.Sum(b => b));
        Assert.Equal(JpegEncoder.DcValues.Length, JpegEncoder.DcChromaBits.Sum(b => b));
        Assert.Equal(JpegEncoder.AcLumaValues.Length, JpegEncoder.AcLumaBits.Sum(b => b));
        Assert.Equal(JpegEncoder.AcChromaValues.Length, JpegEncoder.AcChromaBits.Sum(b => b));
        Assert.Equal(162, JpegEncoder.AcLumaValues.Distinct().Count());
        Assert.Equal(162, JpegEncoder.AcChromaValues.Distinct().Count());
    }

    [Fact]
    public void Leaves_are_deterministic_per_seed()
    {
        Assert.Equal(LeafImages.Jpeg(5, diseased: true), LeafImages.Jpeg(5, diseased: true));
        Assert.NotEqual(LeafImages.Jpeg(5, diseased: true), LeafImages.Jpeg(6, diseased: true));
    }

    [Theory]
    [InlineData(96, 96, true)]
    [InlineData(37, 21, false)]
    public async Task An_independent_decoder_opens_the_jpeg_and_sees_the_picture(int width, int height, bool diseased)
    {
        var rgb = width == height ? LeafImages.Draw(9, diseased, width) : Gradient(width, height);
        var jpeg = JpegEncoder.Encode(rgb, width, height, quality: 90);
        using var folder = new TempDirectory("jpeg");
        var path = folder.Combine("leaf.jpg");
        await File.WriteAllBytesAsync(path, jpeg);
        await File.WriteAllBytesAsync(folder.Combine("leaf.rgb"), rgb);

        // Pillow (Debian python3-pil, libjpeg-turbo underneath) decodes the file; the mean absolute error against the
        // raster that was encoded shows the pixels, not only the headers, are right.
        var script = """
            import sys
            from PIL import Image
            image = Image.open(sys.argv[1])
            print(image.format, image.mode, image.size[0], image.size[1])
            pixels = image.convert("RGB").tobytes()
            original = open(sys.argv[2], "rb").read()
            print(sum(abs(a - b) for a, b in zip(pixels, original)) / len(original))
            """;
        var python = ProcessRun.Which("/usr/bin/python3") ?? throw new InvalidOperationException("/usr/bin/python3 not found: run scripts/test.sh, which installs python3-pil");
        var result = await ProcessRun.RunAsync(python, ["-c", script, path, folder.Combine("leaf.rgb")], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"Pillow could not decode the JPEG (is python3-pil installed? scripts/test.sh installs it): {result.Describe()}");
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"JPEG RGB {width} {height}", lines[0]);
        Assert.InRange(double.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture), 0, 6);
    }

    private static byte[] Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = ((byte)(x * 255 / width), (byte)(y * 255 / height), 128);
            }
        }

        return rgb;
    }
}
