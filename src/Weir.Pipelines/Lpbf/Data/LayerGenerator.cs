namespace Weir.Pipelines.Lpbf.Data;

/// <summary>
/// Synthesises the optical-tomography tiles of one print, calibrated to what is known of the challenge's data
/// (docs/pipelines/lpbf.md "Data generator"): powder below 5000, parts of 14k–30k with brighter contours, parts
/// crossing tile borders (where zero padding makes outliers), transient hot spots that become outlier clusters,
/// and overheated zones that saturate on a few tiles (3, 7, 9 and 10 mostly, never 0, 1, 11, 13, 14, 15).
/// Every value comes from integer arithmetic on a seeded stream, so tiles are identical on every machine.
/// </summary>
internal sealed class LayerGenerator
{
    /// <summary>Bumped whenever the output changes, so that cached data sets are not reused across versions.</summary>
    public const int Version = 1;

    private const int Grid = 4;

    // Saturation propensity per tile, in permille of layers: hot tiles (a lasting overheated region), tiles
    // with a rare small flash, tiles that never saturate.
    private static readonly int[] HotPermille = [0, 0, 40, 1000, 30, 40, 30, 1000, 40, 1000, 1000, 0, 30, 0, 0, 0];

    private readonly GeneratorOptions _options;
    private readonly Part[] _parts;
    private readonly int[] _spotMeanPermille;

    public LayerGenerator(GeneratorOptions options)
    {
        _options = options;
        var plate = options.TileSize * Grid;
        var random = new SplitMix(SplitMix.Hash(options.Seed, 1));
        var parts = new List<Part>();
        var count = random.Between(11, 15);
        for (var i = 0; i < count; i++)
        {
            parts.Add(Part.Random(ref random, plate, options.Layers, options.TileSize));
        }

        _parts = [.. parts];
        _spotMeanPermille = new int[Grid * Grid];
        for (var t = 0; t < _spotMeanPermille.Length; t++)
        {
            // Mean spots per tile and layer: most tiles are quiet, a few are busy (the spread of the real data).
            var u = random.Below(1000);
            _spotMeanPermille[t] = 20 + u * u * 1400 / 1_000_000;
        }
    }

    public GeneratorOptions Options => _options;

    public int TilesPerLayer => Grid * Grid;

    public int TileCount => _options.Layers * Grid * Grid;

    /// <summary>Renders tile <paramref name="tile"/> of layer <paramref name="layer"/> into a row-major buffer.</summary>
    public void Render(int layer, int tile, Span<ushort> pixels)
    {
        var size = _options.TileSize;
        if (pixels.Length != size * size)
        {
            throw new ArgumentException($"{pixels.Length} pixels for a {size}x{size} tile", nameof(pixels));
        }

        var values = new int[size * size];
        var random = new SplitMix(SplitMix.Hash(_options.Seed, 2, layer, tile));
        var top = tile / Grid * size;
        var left = tile % Grid * size;

        // Powder: low and noisy, sometimes with a slightly brighter recoat stripe.
        var powder = 900 + random.Below(700);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = powder + random.Noise(260);
        }

        foreach (var part in _parts)
        {
            part.Draw(values, size, top, left, layer, ref random);
        }

        var hot = HotPermille[tile % HotPermille.Length];
        if (hot >= 500)
        {
            DrawHotZone(values, size, tile, ref random);
        }
        else if (random.Chance(hot))
        {
            DrawFlash(values, size, ref random);
        }

        var spots = 0;
        while (random.Below(1000) < _spotMeanPermille[tile % _spotMeanPermille.Length] * 1000 / (1000 + _spotMeanPermille[tile % _spotMeanPermille.Length]))
        {
            spots++;
            if (spots > 12)
            {
                break;
            }
        }

        var ceiling = hot == 0 ? 64000 : int.MaxValue;
        for (var s = 0; s < spots; s++)
        {
            DrawSpot(values, size, ceiling, ref random);
        }

        for (var i = 0; i < values.Length; i++)
        {
            pixels[i] = (ushort)Math.Clamp(values[i], 0, ushort.MaxValue);
        }
    }

    /// <summary>
    /// An overheated region on one of the hot tiles: its place and shape stay the same from layer to layer (heat
    /// builds up where the geometry traps it), its level drifts around the saturation limit, so the number of
    /// saturated pixels changes from layer to layer and the region's rim yields outliers.
    /// </summary>
    private void DrawHotZone(int[] values, int size, int tile, ref SplitMix random)
    {
        var shape = new SplitMix(SplitMix.Hash(_options.Seed, 3, tile));
        var a = shape.Between(size / 14, size / 7);
        var b = shape.Between(size / 14, size / 7);
        var cr = shape.Between(a, size - 1 - a);
        var cc = shape.Between(b, size - 1 - b);
        var level = random.Between(59000, 65500);
        FillEllipse(values, size, cr, cc, a, b, level, 1500, ref random);
    }

    /// <summary>A small transient overheat that saturates a few pixels (tiles that rarely saturate).</summary>
    private static void DrawFlash(int[] values, int size, ref SplitMix random)
    {
        var a = random.Between(3, 9);
        var b = random.Between(3, 9);
        FillEllipse(values, size, random.Between(0, size - 1), random.Between(0, size - 1), a, b, random.Between(64000, 67000), 1200, ref random);
    }

    private static void FillEllipse(int[] values, int size, int cr, int cc, int a, int b, int level, int noise, ref SplitMix random)
    {
        for (var r = Math.Max(0, cr - a); r <= Math.Min(size - 1, cr + a); r++)
        {
            for (var c = Math.Max(0, cc - b); c <= Math.Min(size - 1, cc + b); c++)
            {
                // Inside the ellipse (r−cr)²/a² + (c−cc)²/b² ≤ 1, in integers.
                var dr = (long)(r - cr) * b;
                var dc = (long)(c - cc) * a;
                var reach = (long)a * b;
                if (dr * dr + dc * dc <= reach * reach)
                {
                    values[r * size + c] = level + random.Noise(noise);
                }
            }
        }
    }

    /// <summary>
    /// A transient bright spot (spatter, a local overheat): a parabolic bump added to what is there, kept below
    /// saturation on tiles that never saturate.
    /// </summary>
    private static void DrawSpot(int[] values, int size, int ceiling, ref SplitMix random)
    {
        var u = random.Below(1000);
        var radius = 2 + u * u * 7 / 1_000_000;
        var amplitude = random.Between(22000, 48000);
        var cr = random.Between(0, size - 1);
        var cc = random.Between(0, size - 1);
        var r2 = radius * radius;
        for (var r = Math.Max(0, cr - radius); r <= Math.Min(size - 1, cr + radius); r++)
        {
            for (var c = Math.Max(0, cc - radius); c <= Math.Min(size - 1, cc + radius); c++)
            {
                var d2 = (r - cr) * (r - cr) + (c - cc) * (c - cc);
                if (d2 < r2)
                {
                    values[r * size + c] = Math.Min(ceiling, values[r * size + c] + amplitude * (r2 - d2) / r2);
                }
            }
        }
    }

    /// <summary>One printed part: a rectangle, a disc (its radius may change with the layer, a cone) or a tube.</summary>
    private sealed record Part(
        int Kind,
        int CenterRow,
        int CenterCol,
        int HalfHeight,
        int HalfWidth,
        int Radius,
        int EndRadius,
        int Inner,
        int Level,
        int Contour,
        int Noise,
        int FirstLayer,
        int LastLayer)
    {
        private const int Rectangle = 0;
        private const int Disc = 1;
        private const int Tube = 2;
        private const int ContourWidth = 3;

        public static Part Random(ref SplitMix random, int plate, int layers, int tileSize)
        {
            var kind = random.Below(3);
            var radius = random.Between(tileSize / 8, tileSize / 2);
            var first = random.Chance(700) ? 0 : random.Below(Math.Max(1, layers / 3));
            var last = random.Chance(700) ? layers - 1 : Math.Max(first, layers - 1 - random.Below(Math.Max(1, layers / 3)));
            return new Part(
                kind,
                random.Between(0, plate - 1),
                random.Between(0, plate - 1),
                random.Between(tileSize / 10, tileSize * 3 / 5),
                random.Between(tileSize / 10, tileSize * 3 / 5),
                radius,
                Math.Max(8, radius + random.Between(-radius / 2, radius / 2)),
                radius / 3 + random.Below(Math.Max(1, radius / 3)),
                random.Between(12000, 26000),
                random.Between(0, 7000),
                random.Between(500, 1200),
                first,
                last);
        }

        public void Draw(int[] values, int size, int top, int left, int layer, ref SplitMix random)
        {
            if (layer < FirstLayer || layer > LastLayer)
            {
                return;
            }

            var radius = Kind == Rectangle ? 0
                : Radius + (EndRadius - Radius) * (layer - FirstLayer) / Math.Max(1, LastLayer - FirstLayer);
            var extentRows = Kind == Rectangle ? HalfHeight : radius;
            var extentCols = Kind == Rectangle ? HalfWidth : radius;
            var r0 = Math.Max(top, CenterRow - extentRows);
            var r1 = Math.Min(top + size - 1, CenterRow + extentRows);
            var c0 = Math.Max(left, CenterCol - extentCols);
            var c1 = Math.Min(left + size - 1, CenterCol + extentCols);
            if (r0 > r1 || c0 > c1)
            {
                return;
            }

            // The level drifts from layer to layer (energy input varies) and ramps up over a part's first layers.
            var level = Level + (int)((layer * 37L + CenterRow * 101L) % 2001) - 1000;
            level = level * Math.Min(layer - FirstLayer + 1, 3) / 3;
            var inner = Math.Max(0, Inner * radius / Math.Max(1, Radius));
            var outer2 = radius * radius;
            var contour2 = Math.Max(0, radius - ContourWidth) * Math.Max(0, radius - ContourWidth);
            var inner2 = inner * inner;
            var innerContour2 = (inner + ContourWidth) * (inner + ContourWidth);
            for (var y = r0; y <= r1; y++)
            {
                var dr = y - CenterRow;
                for (var x = c0; x <= c1; x++)
                {
                    var dc = x - CenterCol;
                    bool inside, edge;
                    if (Kind == Rectangle)
                    {
                        inside = true;
                        edge = Math.Min(HalfHeight - Math.Abs(dr), HalfWidth - Math.Abs(dc)) < ContourWidth;
                    }
                    else
                    {
                        var d2 = dr * dr + dc * dc;
                        inside = d2 <= outer2 && (Kind == Disc || d2 >= inner2);
                        edge = d2 > contour2 || (Kind == Tube && d2 < innerContour2);
                    }

                    if (inside)
                    {
                        values[(y - top) * size + (x - left)] = level + (edge ? Contour : 0) + random.Noise(Noise);
                    }
                }
            }
        }
    }
}
