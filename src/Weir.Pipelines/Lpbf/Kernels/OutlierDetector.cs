using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Q2: the outliers of the newest tile of a three-layer window, exactly as the reference defines them
/// (docs/pipelines/lpbf.md): for each pixel with 5000 &lt; T &lt; 65000, Sc = sum over the 19 positions at 3-D
/// Manhattan distance ≤ 2 (the previous layers count 1 and 2), So = sum over the 60 positions at distance 3..4,
/// zeros outside the tile, D = |Sc/19 − So/60|, outlier iff D &gt; 6000.
/// <para>
/// How it is fast. The neighbourhoods are diamonds, which split into vertical segments: with V_h(r, c) the sum of
/// rows r−h..r+h in column c of one layer, every close or outer sum is a sum over column offsets j of such
/// segments. Per output row, one vertical pass (8 columns per vector, int32 lanes) builds six row buffers —
/// C0, C1, C2 for the close weights at |j| = 0, 1, 2 and O0, O1, O2 for the outer ones (the outer weights at
/// |j| = 3, 4 equal C1, C2) — and one horizontal pass adds them at their offsets: 5 loads for Sc and 9 for So.
/// No sum is recomputed per pixel, nothing is allocated per tile, and column blocks with no pixel in range are
/// skipped (powder is most of a tile).
/// </para>
/// <para>
/// Exactness. Sc and So are integers, so the threshold test is done in integers: D &gt; 6000 ⇔
/// |60·Sc − 19·So| &gt; 6 840 000. Float64 rounding cannot move D across 6000 unless D is exactly 6000 in real
/// numbers; those ties are decided by the demo client's own float64 expression, which is also how every reported
/// deviation is computed, so results match the reference bit for bit.
/// </para>
/// </summary>
internal sealed unsafe class OutlierDetector
{
    /// <summary>Zero elements before and after each row buffer: the horizontal pass reads 4 columns either side.</summary>
    private const int HPad = 8;

    private const int TieNumerator = LpbfConstants.OutlierThreshold * LpbfConstants.CloseCount * LpbfConstants.OuterCount;

    private int[] _rowBuffers = [];
    private byte[] _blockFlags = [];
    private int _stride = -1;

    /// <param name="oldest">Layer two back (d = 0).</param>
    /// <param name="previous">Layer one back (d = 1).</param>
    /// <param name="newest">The current layer, whose pixels are evaluated (d = 2).</param>
    public void Detect(Tile oldest, Tile previous, Tile newest, Outliers output)
    {
        if (!newest.SameSize(previous) || !newest.SameSize(oldest))
        {
            throw new InvalidDataException(
                $"tiles of one window differ in size: {oldest.Rows}x{oldest.Cols}, {previous.Rows}x{previous.Cols}, {newest.Rows}x{newest.Cols}");
        }

        var rows = newest.Rows;
        var stride = newest.Stride;
        Prepare(stride);
        output.Reset(rows, newest.Cols);
        var blocks = stride / 8;
        var length = stride + 2 * HPad;
        fixed (ushort* o = oldest.Buffer, p = previous.Buffer, n = newest.Buffer)
        fixed (int* buffers = _rowBuffers)
        fixed (byte* flags = _blockFlags)
        {
            var c0 = buffers + HPad;
            var c1 = c0 + length;
            var c2 = c1 + length;
            var o0 = c2 + length;
            var o1 = o0 + length;
            var o2 = o1 + length;
            var rowsBase = (long)Tile.Pad * stride;
            for (var r = 0; r < rows; r++)
            {
                var offset = rowsBase + (long)r * stride;
                var nRow = n + offset;
                if (!FlagEligibleBlocks(nRow, stride, flags + 1))
                {
                    continue;
                }

                var pRow = p + offset;
                var oRow = o + offset;
                for (var b = 0; b < blocks; b++)
                {
                    // flags[b + 1] is block b; flags[0] and flags[blocks + 1] are zero guards.
                    if ((flags[b] | flags[b + 1] | flags[b + 2]) != 0)
                    {
                        VerticalPass(nRow, pRow, oRow, stride, b * 8, c0, c1, c2, o0, o1, o2);
                    }
                }

                for (var b = 0; b < blocks; b++)
                {
                    if (flags[b + 1] != 0)
                    {
                        HorizontalPass(nRow, r, b * 8, c0, c1, c2, o0, o1, o2, output);
                    }
                }
            }
        }

        output.Complete();
    }

    private void Prepare(int stride)
    {
        if (stride == _stride)
        {
            return;
        }

        // Six row buffers, each with zero margins; the margins are never written, so they stay zero.
        _rowBuffers = new int[6 * (stride + 2 * HPad)];
        _blockFlags = new byte[stride / 8 + 2];
        _stride = stride;
    }

    /// <summary>Marks the 8-column blocks of a row that hold a pixel with 5000 &lt; T &lt; 65000; false when none does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FlagEligibleBlocks(ushort* row, int stride, byte* flags)
    {
        var any = 0;
        // (ushort)(T − 5001) < 59999 ⇔ 5001 ≤ T ≤ 64999.
        var low = Vector256.Create((ushort)(LpbfConstants.Empty + 1));
        var span = Vector256.Create((ushort)(LpbfConstants.Saturation - LpbfConstants.Empty - 1));
        for (var c = 0; c < stride; c += 16)
        {
            var inRange = Vector256.LessThan(Vector256.Load(row + c) - low, span).ExtractMostSignificantBits();
            var lower = (byte)((inRange & 0xFF) != 0 ? 1 : 0);
            var upper = (byte)((inRange >> 8) != 0 ? 1 : 0);
            flags[c / 8] = lower;
            flags[c / 8 + 1] = upper;
            any |= lower | upper;
        }

        return any != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Widen(ushort* at)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.ConvertToVector256Int32(at);
        }

        return Vector256.WidenLower(Vector128.Load(at).ToVector256Unsafe()).AsInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void VerticalPass(ushort* nRow, ushort* pRow, ushort* oRow, int stride, int c, int* c0, int* c1, int* c2, int* o0, int* o1, int* o2)
    {
        var at = nRow + c;
        var n0 = Widen(at);
        var vn1 = n0 + Widen(at - stride) + Widen(at + stride);
        var vn2 = vn1 + Widen(at - 2 * stride) + Widen(at + 2 * stride);
        var vn3 = vn2 + Widen(at - 3 * stride) + Widen(at + 3 * stride);
        var vn4 = vn3 + Widen(at - 4 * stride) + Widen(at + 4 * stride);

        at = pRow + c;
        var p0 = Widen(at);
        var vp1 = p0 + Widen(at - stride) + Widen(at + stride);
        var vp2 = vp1 + Widen(at - 2 * stride) + Widen(at + 2 * stride);
        var vp3 = vp2 + Widen(at - 3 * stride) + Widen(at + 3 * stride);

        at = oRow + c;
        var q0 = Widen(at);
        var vq1 = q0 + Widen(at - stride) + Widen(at + stride);
        var vq2 = vq1 + Widen(at - 2 * stride) + Widen(at + 2 * stride);

        // Close weights per column offset |j|: N within 2 − |j| rows, P within 1 − |j|, O only at j = 0.
        (vn2 + vp1 + q0).Store(c0 + c);
        (vn1 + p0).Store(c1 + c);
        n0.Store(c2 + c);

        // Outer weights per |j|: N at rows 3 − |j| .. 4 − |j|, P at 2 − |j| .. 3 − |j|, O at 1 − |j| .. 2 − |j|.
        (vn4 - vn2 + (vp3 - vp1) + (vq2 - q0)).Store(o0 + c);
        (vn3 - vn1 + (vp2 - p0) + vq1).Store(o1 + c);
        (vn2 - n0 + vp1 + q0).Store(o2 + c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalPass(ushort* nRow, int r, int c, int* c0, int* c1, int* c2, int* o0, int* o1, int* o2, Outliers output)
    {
        var close = Vector256.Load(c0 + c)
            + Vector256.Load(c1 + c - 1) + Vector256.Load(c1 + c + 1)
            + Vector256.Load(c2 + c - 2) + Vector256.Load(c2 + c + 2);
        var outer = Vector256.Load(o0 + c)
            + Vector256.Load(o1 + c - 1) + Vector256.Load(o1 + c + 1)
            + Vector256.Load(o2 + c - 2) + Vector256.Load(o2 + c + 2)
            + Vector256.Load(c1 + c - 3) + Vector256.Load(c1 + c + 3)
            + Vector256.Load(c2 + c - 4) + Vector256.Load(c2 + c + 4);
        var scaled = Vector256.Abs(close * LpbfConstants.OuterCount - outer * LpbfConstants.CloseCount);
        var centre = Widen(nRow + c);
        var eligible = Vector256.GreaterThan(centre, Vector256.Create(LpbfConstants.Empty))
            & Vector256.LessThan(centre, Vector256.Create(LpbfConstants.Saturation));
        var threshold = Vector256.Create(TieNumerator);
        var hits = (eligible & Vector256.GreaterThan(scaled, threshold)).ExtractMostSignificantBits();
        var ties = (eligible & Vector256.Equals(scaled, threshold)).ExtractMostSignificantBits();
        var candidates = hits | ties;
        while (candidates != 0)
        {
            var lane = BitOperations.TrailingZeroCount(candidates);
            candidates &= candidates - 1;
            var deviation = Deviation(close.GetElement(lane), outer.GetElement(lane));
            if ((hits & (1u << lane)) != 0 || deviation > LpbfConstants.OutlierThreshold)
            {
                output.Add(r, c + lane, deviation);
            }
        }
    }

    /// <summary>The demo client's expression: mean of the close sum minus mean of the outer sum, in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Deviation(int closeSum, int outerSum) =>
        Math.Abs(closeSum / (double)LpbfConstants.CloseCount - outerSum / (double)LpbfConstants.OuterCount);
}
