namespace Weir.Pipelines.PlantSync.Workload;

/// <summary>
/// Draws small leaf pictures like the camera job's: a leaf on soil, with lesions when <c>diseased</c>, and encodes
/// them as JPEG. Deterministic for a given seed, so a workload can be replayed exactly.
/// </summary>
internal static class LeafImages
{
    public const int DefaultSize = 96;

    public static byte[] Jpeg(int seed, bool diseased, int size = DefaultSize, int quality = 75) =>
        JpegEncoder.Encode(Draw(seed, diseased, size), size, size, quality);

    public static byte[] Draw(int seed, bool diseased, int size)
    {
        var random = new Random(seed);
        var rgb = new byte[size * size * 3];
        var angle = random.NextDouble() * Math.PI;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var length = size * (0.36 + (random.NextDouble() * 0.08));
        var width = length * (0.45 + (random.NextDouble() * 0.15));
        var hue = random.Next(-20, 20);
        var spots = diseased ? Enumerable.Range(0, random.Next(3, 9))
            .Select(_ => (X: (random.NextDouble() - 0.5) * length, Y: (random.NextDouble() - 0.5) * width * 0.8, R: 2 + (random.NextDouble() * size / 16)))
            .ToArray() : [];
        var centre = size / 2.0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                // Leaf coordinates: u along the midrib, v across it.
                double dx = x - centre, dy = y - centre;
                var u = (dx * cos) + (dy * sin);
                var v = (-dx * sin) + (dy * cos);
                var inside = ((u * u) / (length * length)) + ((v * v) / (width * width * Math.Max(0.05, 1 - Math.Abs(u / length)))) <= 1;
                var noise = random.Next(-8, 9);
                int r, g, b;
                if (!inside)
                {
                    (r, g, b) = (110 + noise + (y / 4), 85 + noise + (y / 6), 60 + noise);
                }
                else if (Math.Abs(v) < 1.2)
                {
                    (r, g, b) = (150 + noise, 190 + noise, 110 + noise);
                }
                else
                {
                    var shade = (int)(30 * (1 - (Math.Abs(v) / width)));
                    (r, g, b) = (50 + hue + noise, 120 + shade + noise, 40 + noise);
                    foreach (var spot in spots)
                    {
                        var d = Math.Sqrt(((u - spot.X) * (u - spot.X)) + ((v - spot.Y) * (v - spot.Y)));
                        if (d < spot.R)
                        {
                            (r, g, b) = (120 + noise, 80 + noise, 30 + noise);
                        }
                        else if (d < spot.R + 1.5)
                        {
                            (r, g, b) = (190 + noise, 180 + noise, 60 + noise);
                        }
                    }
                }

                var pixel = ((y * size) + x) * 3;
                rgb[pixel] = (byte)Math.Clamp(r, 0, 255);
                rgb[pixel + 1] = (byte)Math.Clamp(g, 0, 255);
                rgb[pixel + 2] = (byte)Math.Clamp(b, 0, 255);
            }
        }

        return rgb;
    }
}
