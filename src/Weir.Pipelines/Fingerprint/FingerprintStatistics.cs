using System.Numerics;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// The original's <c>compute_stats</c>, to the last bit of Python 3.11's <c>statistics</c> module:
/// min and max as Python's <c>min</c>/<c>max</c> (first extreme in window order), <c>median</c> (even count:
/// the two middle values added and halved in double arithmetic), <c>mean</c> (the exact rational mean, correctly
/// rounded), population standard deviation <c>pstdev</c> (the correctly rounded square root of the exact
/// population variance) for more than one value, else 0.0. No rounding of the results.
/// </summary>
/// <remarks>
/// Python gets exactness from fractions. Here every value is m·2^e with integer m, so with E the smallest exponent
/// in the window the values are integers k·2^E, the sum S = Σk is an exact Int128, the mean is S·2^E/n divided
/// with a sticky bit, and the variance is Σ(k·n − S)²·2^2E / n³ whose square root is taken in double-double and
/// accepted only when its error bound cannot straddle a rounding boundary. Windows outside those integer ranges,
/// and the rare boundary cases, take the big-integer path that mirrors Python operation for operation.
/// </remarks>
internal static class FingerprintStatistics
{
    private const double UnitRoundoff = 1.1102230246251565e-16; // 2^-53

    /// <summary>
    /// Statistics of one sensor's values in one window (in arrival order; at least one value, all finite).
    /// <paramref name="scratch"/> receives a sorted copy (length ≥ values.Length).
    /// </summary>
    public static SensorStatistics Compute(ReadOnlySpan<double> values, Span<double> scratch)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("a sensor in a window has at least one value", nameof(values));
        }

        double min = values[0], max = values[0];
        foreach (var v in values)
        {
            // Python's min/max keep the first of equal extremes: only a strictly smaller/larger value replaces.
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        var sorted = scratch[..values.Length];
        values.CopyTo(sorted);
        sorted.Sort();
        var n = values.Length;
        var median = (n & 1) == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;

        double mean, stdDev;
        if (!TryFast(values, out mean, out stdDev))
        {
            Exact(values, out mean, out stdDev);
        }

        return new SensorStatistics(min, max, median, mean, n > 1 ? stdDev : 0.0);
    }

    /// <summary>The fast path; false when the window is outside its exact ranges or the result is too close to call.</summary>
    internal static bool TryFast(ReadOnlySpan<double> values, out double mean, out double stdDev)
    {
        mean = stdDev = 0;
        var n = values.Length;
        if (n >= 1 << 17)
        {
            return false; // n³ must stay exact in a double
        }

        // The smallest binary exponent among nonzero values, and the widest scaled integer.
        int minExponent = int.MaxValue, maxExponent = int.MinValue;
        foreach (var v in values)
        {
            if (v != 0)
            {
                var e = Exponent(v, out _);
                minExponent = Math.Min(minExponent, e);
                maxExponent = Math.Max(maxExponent, e);
            }
        }

        if (minExponent == int.MaxValue)
        {
            return true; // all zeros: mean 0.0, deviation 0.0
        }

        // |k| < 2^(53 + spread); k·n and S must fit Int128, and every k·n − S must fit a double-double exactly.
        var kBits = 53 + (maxExponent - minExponent);
        var nBits = 32 - BitOperations.LeadingZeroCount((uint)n);
        if (kBits + nBits + 1 > 105)
        {
            return false;
        }

        Int128 sum = 0;
        foreach (var v in values)
        {
            sum += Scaled(v, minExponent);
        }

        if (!TryRoundQuotient(sum, (ulong)n, minExponent, out mean))
        {
            return false;
        }

        if (n == 1)
        {
            return true;
        }

        var squares = default(DoubleDouble);
        foreach (var v in values)
        {
            var deviation = (Scaled(v, minExponent) * n) - sum; // n·(x − mean) / 2^E, exactly
            squares = squares.Add(DoubleDouble.FromInt128(deviation).Square());
        }

        if (squares.Hi == 0)
        {
            return true; // all values equal
        }

        var n3 = (double)n * n * n;
        var root = squares.Divide(n3).Sqrt(); // sqrt(Σd²/n³) = σ / 2^E
        // Relative error of the double-double chain: a few u² per operation, n additions; generous margin.
        var bound = ((16.0 * n) + 64) * UnitRoundoff * UnitRoundoff * root.Hi;
        var candidate = root.Hi;
        var gapUp = Math.BitIncrement(candidate) - candidate;
        var gapDown = candidate - Math.BitDecrement(candidate);
        if (Math.Abs(root.Lo) + (2 * bound) >= Math.Min(gapUp, gapDown) / 2)
        {
            return false; // too close to a rounding boundary to decide here
        }

        if (!IsNormalAfterScaling(candidate, minExponent))
        {
            return false;
        }

        stdDev = Math.ScaleB(candidate, minExponent);
        return true;
    }

    /// <summary>The always-exact path: Python's fractions, with big integers.</summary>
    internal static void Exact(ReadOnlySpan<double> values, out double mean, out double stdDev)
    {
        var n = values.Length;
        var minExponent = int.MaxValue;
        foreach (var v in values)
        {
            if (v != 0)
            {
                minExponent = Math.Min(minExponent, Exponent(v, out _));
            }
        }

        if (minExponent == int.MaxValue)
        {
            mean = stdDev = 0.0;
            return;
        }

        BigInteger sum = 0, sumSquares = 0;
        foreach (var v in values)
        {
            var k = ScaledBig(v, minExponent);
            sum += k;
            sumSquares += k * k;
        }

        // mean = S·2^E / n; variance = (n·Σk² − S²)·2^2E / n².
        mean = minExponent >= 0
            ? ExactRational.ToDouble(sum << minExponent, n)
            : ExactRational.ToDouble(sum, new BigInteger(n) << -minExponent);
        var numerator = (n * sumSquares) - (sum * sum);
        var denominator = new BigInteger(n) * n;
        stdDev = minExponent >= 0
            ? ExactRational.SqrtOfFraction(numerator << (2 * minExponent), denominator)
            : ExactRational.SqrtOfFraction(numerator, denominator << (-2 * minExponent));
    }

    /// <summary>S·2^E / n correctly rounded, when S fits the Int128 fast path and the result is a normal double.</summary>
    private static bool TryRoundQuotient(Int128 sum, ulong n, int exponent, out double result)
    {
        result = 0;
        if (sum == 0)
        {
            return true;
        }

        var negative = sum < 0;
        var magnitude = (UInt128)(negative ? -sum : sum);
        var numeratorBits = 128 - (int)UInt128.LeadingZeroCount(magnitude);
        var denominatorBits = 64 - BitOperations.LeadingZeroCount(n);
        var shift = Math.Max(0, 56 + denominatorBits - numeratorBits);
        if (numeratorBits + shift > 127)
        {
            return false;
        }

        var scaled = magnitude << shift;
        var quotient = UInt128.DivRem(scaled, n);
        var sticky = quotient.Remainder != 0;
        var q = quotient.Quotient;
        var bits = 128 - (int)UInt128.LeadingZeroCount(q);
        var drop = bits - 53;
        var mantissa = q >> drop;
        var rest = q - (mantissa << drop);
        var half = UInt128.One << (drop - 1);
        if (rest > half || (rest == half && (sticky || (mantissa & 1) == 1)))
        {
            mantissa++;
        }

        var value = (double)(ulong)mantissa;
        if (!IsNormalAfterScaling(value, drop - shift + exponent))
        {
            return false;
        }

        result = Math.ScaleB(negative ? -value : value, drop - shift + exponent);
        return true;
    }

    private static bool IsNormalAfterScaling(double value, int exponent)
    {
        var resultExponent = Math.ILogB(value) + exponent;
        return resultExponent is >= -1022 and <= 1023;
    }

    /// <summary>v = mantissa · 2^exponent with an integer mantissa of at most 53 bits (v ≠ 0, finite).</summary>
    private static int Exponent(double v, out long mantissa)
    {
        var bits = BitConverter.DoubleToInt64Bits(v);
        var biased = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        if (v < 0)
        {
            mantissa = -mantissa;
        }

        return (biased == 0 ? 1 : biased) - 1075;
    }

    private static Int128 Scaled(double v, int minExponent)
    {
        if (v == 0)
        {
            return 0;
        }

        var e = Exponent(v, out var mantissa);
        return (Int128)mantissa << (e - minExponent);
    }

    private static BigInteger ScaledBig(double v, int minExponent)
    {
        if (v == 0)
        {
            return BigInteger.Zero;
        }

        var e = Exponent(v, out var mantissa);
        return new BigInteger(mantissa) << (e - minExponent);
    }
}
