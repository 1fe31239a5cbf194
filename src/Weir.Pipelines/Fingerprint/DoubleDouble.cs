using System.Runtime.CompilerServices;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// An unevaluated sum hi + lo of two doubles (≈106 bits): just enough extra precision to decide the correctly
/// rounded standard deviation without big integers in almost every case. Error-free transformations after
/// Dekker and Knuth; the products use fused multiply-add.
/// </summary>
internal readonly struct DoubleDouble(double hi, double lo)
{
    public double Hi { get; } = hi;

    public double Lo { get; } = lo;

    /// <summary>An integer below 2^106 in magnitude, exactly.</summary>
    public static DoubleDouble FromInt128(Int128 value)
    {
        var negative = value < 0;
        var magnitude = (UInt128)(negative ? -value : value);
        var high = (double)(ulong)(magnitude >> 53) * 9007199254740992.0; // exact: both parts have ≤ 53 bits
        var low = (double)(ulong)(magnitude & ((1UL << 53) - 1));
        var sum = FastTwoSum(high, low);
        return negative ? new DoubleDouble(-sum.Hi, -sum.Lo) : sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleDouble FastTwoSum(double a, double b)
    {
        var s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleDouble TwoSum(double a, double b)
    {
        var s = a + b;
        var bb = s - a;
        return new DoubleDouble(s, (a - (s - bb)) + (b - bb));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DoubleDouble Add(DoubleDouble other)
    {
        var s = TwoSum(Hi, other.Hi);
        var t = TwoSum(Lo, other.Lo);
        var u = FastTwoSum(s.Hi, s.Lo + t.Hi);
        return FastTwoSum(u.Hi, u.Lo + t.Lo);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DoubleDouble Square()
    {
        var p = Hi * Hi;
        var e = Math.FusedMultiplyAdd(Hi, Hi, -p);
        e += (2 * Hi * Lo) + (Lo * Lo);
        return FastTwoSum(p, e);
    }

    public DoubleDouble Divide(double divisor)
    {
        var q1 = Hi / divisor;
        var remainder = Math.FusedMultiplyAdd(-q1, divisor, Hi) + Lo;
        return FastTwoSum(q1, remainder / divisor);
    }

    public DoubleDouble Sqrt()
    {
        if (Hi <= 0)
        {
            return default;
        }

        var s = Math.Sqrt(Hi);
        var residual = Math.FusedMultiplyAdd(-s, s, Hi) + Lo;
        return FastTwoSum(s, residual / (2 * s));
    }
}
