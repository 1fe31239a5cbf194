using System.Numerics;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// Correctly rounded conversions of exact rationals to double, as Python does them: <c>int / int</c> true division
/// (used by <c>float(Fraction)</c>) and <c>statistics._float_sqrt_of_frac</c>. The slow, always-exact path of
/// <see cref="FingerprintStatistics"/>.
/// </summary>
internal static class ExactRational
{
    /// <summary>num / den rounded to nearest, ties to even, including subnormal results. den must be positive.</summary>
    public static double ToDouble(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(denominator), "the denominator must be positive");
        }

        if (numerator.IsZero)
        {
            return 0.0;
        }

        var negative = numerator.Sign < 0;
        var n = BigInteger.Abs(numerator);
        // Scale so that the integer quotient has at least 55 bits (53 kept, a rounding bit, and one spare).
        var shift = (int)Math.Max(0, 55 + denominator.GetBitLength() - n.GetBitLength());
        var quotient = BigInteger.DivRem(n << shift, denominator, out var remainder);
        var sticky = !remainder.IsZero;
        var bits = (int)quotient.GetBitLength();
        // The value is quotient * 2^-shift; its leading bit has exponent (bits - 1 - shift).
        var exponent = bits - 1 - shift;
        var precision = exponent >= -1022 ? 53 : 53 - (-1022 - exponent);
        if (precision <= 0)
        {
            // Below half the smallest subnormal (or exactly half: ties to even gives zero unless more follows).
            var half = precision == 0 && (quotient > (BigInteger.One << (bits - 1)) || sticky);
            var tiny = half ? double.Epsilon : 0.0;
            return negative ? -tiny : tiny;
        }

        var drop = bits - precision;
        var mantissa = quotient >> drop;
        var rest = quotient - (mantissa << drop);
        var halfway = BigInteger.One << (drop - 1);
        if (rest > halfway || (rest == halfway && (sticky || !mantissa.IsEven)))
        {
            mantissa += 1;
        }

        var value = Math.ScaleB((double)mantissa, drop - shift);
        return negative ? -value : value;
    }

    /// <summary>The correctly rounded square root of n/m (Python 3.11's <c>statistics._float_sqrt_of_frac</c>).</summary>
    public static double SqrtOfFraction(BigInteger n, BigInteger m)
    {
        if (n.Sign < 0 || m.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), "the square root needs n ≥ 0 and m > 0");
        }

        const int Width = (2 * 53) + 3;
        var q = FloorDiv(n.GetBitLength() - m.GetBitLength() - Width, 2);
        if (q >= 0)
        {
            return ToDouble(IntegerSqrtOfFractionRoundToOdd(n, m << (int)(2 * q)) << (int)q, BigInteger.One);
        }

        return ToDouble(IntegerSqrtOfFractionRoundToOdd(n << (int)(-2 * q), m), BigInteger.One << (int)-q);
    }

    /// <summary>isqrt(n // m), with the lowest bit set when the root is inexact (round to odd).</summary>
    private static BigInteger IntegerSqrtOfFractionRoundToOdd(BigInteger n, BigInteger m)
    {
        var a = IntegerSqrt(BigInteger.Divide(n, m));
        return (a * a * m) != n ? a | BigInteger.One : a;
    }

    public static BigInteger IntegerSqrt(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        if (value < 2)
        {
            return value;
        }

        // Newton's iteration from an over-estimate decreases monotonically to floor(sqrt(value)).
        var x = BigInteger.One << (int)((value.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + (value / x)) >> 1;
            if (y >= x)
            {
                return x;
            }

            x = y;
        }
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
