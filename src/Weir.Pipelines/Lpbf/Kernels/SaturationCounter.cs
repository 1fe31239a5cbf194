using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>Q1: the number of pixels of a tile strictly above <see cref="LpbfConstants.Saturation"/>.</summary>
internal static class SaturationCounter
{
    public static int Count(Tile tile)
    {
        // Rows are contiguous apart from zero columns after each row, and zeros are never saturated, so the
        // whole image area is one span.
        var pixels = tile.Buffer.AsSpan(Tile.Pad * tile.Stride, tile.Rows * tile.Stride);
        return Count(pixels);
    }

    public static int Count(ReadOnlySpan<ushort> pixels)
    {
        var count = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var threshold = Vector256.Create((ushort)LpbfConstants.Saturation);
            ref var start = ref MemoryMarshal.GetReference(pixels);
            for (; i <= pixels.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var above = Vector256.GreaterThan(Vector256.LoadUnsafe(ref start, (nuint)i), threshold);
                count += BitOperations.PopCount(above.ExtractMostSignificantBits());
            }
        }

        for (; i < pixels.Length; i++)
        {
            if (pixels[i] > LpbfConstants.Saturation)
            {
                count++;
            }
        }

        return count;
    }
}
