namespace Weir.Pipelines.Rtls;

/// <summary>Which solver produced a position.</summary>
internal enum SolveMethod
{
    /// <summary>The original job's three-anchor closed form (two radical axes intersected).</summary>
    ClosedForm,

    /// <summary>Levenberg–Marquardt on the range residuals, started from a linear least-squares guess.</summary>
    LeastSquares,
}

/// <summary>A solved position, or why there is none.</summary>
internal readonly record struct TrilaterationResult(bool Solved, Point2 Position, SolveMethod Method, double RmsResidual, string? Failure)
{
    public static TrilaterationResult Fail(string reason) => new(false, default, SolveMethod.ClosedForm, double.NaN, reason);
}

/// <summary>
/// 2-D trilateration. Three anchors with good geometry use the original's closed form (so results match the
/// original job for its own set-up); more anchors, or three anchors that are nearly in a line, use least squares,
/// which weighs every range and degrades gracefully with noise. All-collinear anchors cannot fix a position in 2-D
/// (the mirror image fits equally well) and are reported as a failure.
/// </summary>
internal static class Trilateration
{
    /// <summary>
    /// Below this |sin| of the angle between the two baselines of a three-anchor window, the closed form is
    /// numerically poor (its determinant is nearly zero) and least squares is used instead.
    /// </summary>
    public const double DefaultMinimumGeometry = 0.2;

    private const int MaxIterations = 100;

    public static TrilaterationResult Solve(ReadOnlySpan<AnchorRange> ranges, double minimumGeometry = DefaultMinimumGeometry)
    {
        if (ranges.Length < 3)
        {
            return TrilaterationResult.Fail($"{ranges.Length} anchors; at least 3 are needed");
        }

        foreach (var range in ranges)
        {
            if (!double.IsFinite(range.Distance) || range.Distance < 0)
            {
                return TrilaterationResult.Fail($"invalid distance {range.Distance.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (!double.IsFinite(range.Anchor.X) || !double.IsFinite(range.Anchor.Y))
            {
                return TrilaterationResult.Fail("anchor position is not finite");
            }
        }

        if (ranges.Length == 3 && Math.Abs(GeometrySine(ranges[0].Anchor, ranges[1].Anchor, ranges[2].Anchor)) >= minimumGeometry
            && TryClosedForm(ranges[0], ranges[1], ranges[2], out var closed))
        {
            return new TrilaterationResult(true, closed, SolveMethod.ClosedForm, RmsResidual(ranges, closed), null);
        }

        return LeastSquares(ranges);
    }

    /// <summary>
    /// The original job's formula, operation for operation: A..F from anchors 1-2 and 2-3, then Cramer's rule.
    /// False when a determinant is exactly zero (where the original caught ZeroDivisionError) or a result is
    /// not finite.
    /// </summary>
    public static bool TryClosedForm(in AnchorRange r1, in AnchorRange r2, in AnchorRange r3, out Point2 position)
    {
        double x1 = r1.Anchor.X, y1 = r1.Anchor.Y, x2 = r2.Anchor.X, y2 = r2.Anchor.Y, x3 = r3.Anchor.X, y3 = r3.Anchor.Y;
        double d1 = r1.Distance, d2 = r2.Distance, d3 = r3.Distance;
        var a = (2 * x2) - (2 * x1);
        var b = (2 * y2) - (2 * y1);
        var c = (d1 * d1) - (d2 * d2) - (x1 * x1) + (x2 * x2) - (y1 * y1) + (y2 * y2);
        var d = (2 * x3) - (2 * x2);
        var e = (2 * y3) - (2 * y2);
        var f = (d2 * d2) - (d3 * d3) - (x2 * x2) + (x3 * x3) - (y2 * y2) + (y3 * y3);
        var denominatorX = (e * a) - (b * d);
        var denominatorY = (b * d) - (a * e);
        if (denominatorX == 0 || denominatorY == 0)
        {
            position = default;
            return false;
        }

        position = new Point2(((c * e) - (f * b)) / denominatorX, ((c * d) - (a * f)) / denominatorY);
        return double.IsFinite(position.X) && double.IsFinite(position.Y);
    }

    /// <summary>|sin| of the angle between baselines 1→2 and 2→3: 1 for a right angle, 0 for anchors in a line.</summary>
    public static double GeometrySine(Point2 a1, Point2 a2, Point2 a3)
    {
        double ux = a2.X - a1.X, uy = a2.Y - a1.Y, vx = a3.X - a2.X, vy = a3.Y - a2.Y;
        var lengths = Math.Sqrt((ux * ux) + (uy * uy)) * Math.Sqrt((vx * vx) + (vy * vy));
        return lengths == 0 ? 0 : ((ux * vy) - (uy * vx)) / lengths;
    }

    /// <summary>Least squares over any number (≥ 3) of anchors.</summary>
    public static TrilaterationResult LeastSquares(ReadOnlySpan<AnchorRange> ranges)
    {
        if (!TryLinearGuess(ranges, out var p, out var failure))
        {
            return TrilaterationResult.Fail(failure);
        }

        // Levenberg–Marquardt on r_i(p) = |p - a_i| - d_i. The linear guess is exact for noise-free ranges, so
        // this only moves when ranges disagree; damping keeps it stable near an anchor or with poor geometry.
        var scale = Scale(ranges);
        var lambda = 1e-3;
        var cost = Cost(ranges, p);
        for (var iteration = 0; iteration < MaxIterations && cost > 0; iteration++)
        {
            double jtj00 = 0, jtj01 = 0, jtj11 = 0, jtr0 = 0, jtr1 = 0;
            foreach (var range in ranges)
            {
                double dx = p.X - range.Anchor.X, dy = p.Y - range.Anchor.Y;
                var distance = Math.Sqrt((dx * dx) + (dy * dy));
                if (distance < 1e-12 * scale)
                {
                    continue; // the gradient of |p - a| is undefined at the anchor itself
                }

                double jx = dx / distance, jy = dy / distance, residual = distance - range.Distance;
                jtj00 += jx * jx;
                jtj01 += jx * jy;
                jtj11 += jy * jy;
                jtr0 += jx * residual;
                jtr1 += jy * residual;
            }

            var improved = false;
            while (lambda < 1e12)
            {
                double m00 = jtj00 * (1 + lambda), m11 = jtj11 * (1 + lambda);
                var determinant = (m00 * m11) - (jtj01 * jtj01);
                if (determinant <= 0 || !double.IsFinite(determinant))
                {
                    lambda *= 10;
                    continue;
                }

                var stepX = -((m11 * jtr0) - (jtj01 * jtr1)) / determinant;
                var stepY = -((m00 * jtr1) - (jtj01 * jtr0)) / determinant;
                var candidate = new Point2(p.X + stepX, p.Y + stepY);
                var candidateCost = Cost(ranges, candidate);
                if (candidateCost < cost)
                {
                    var converged = Math.Sqrt((stepX * stepX) + (stepY * stepY)) <= 1e-13 * scale;
                    p = candidate;
                    cost = candidateCost;
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = !converged;
                    break;
                }

                lambda *= 10;
            }

            if (!improved)
            {
                break;
            }
        }

        return double.IsFinite(p.X) && double.IsFinite(p.Y)
            ? new TrilaterationResult(true, p, SolveMethod.LeastSquares, Math.Sqrt(cost / ranges.Length), null)
            : TrilaterationResult.Fail("least squares did not converge");
    }

    public static double RmsResidual(ReadOnlySpan<AnchorRange> ranges, Point2 p) => Math.Sqrt(Cost(ranges, p) / ranges.Length);

    /// <summary>
    /// Subtracting the mean range equation from each one removes |p|² and leaves a linear system in p, solved by
    /// normal equations. Its matrix is singular exactly when all anchors lie on one line.
    /// </summary>
    private static bool TryLinearGuess(ReadOnlySpan<AnchorRange> ranges, out Point2 guess, out string failure)
    {
        double meanX = 0, meanY = 0, meanK = 0;
        foreach (var range in ranges)
        {
            meanX += range.Anchor.X;
            meanY += range.Anchor.Y;
            meanK += (range.Anchor.X * range.Anchor.X) + (range.Anchor.Y * range.Anchor.Y) - (range.Distance * range.Distance);
        }

        meanX /= ranges.Length;
        meanY /= ranges.Length;
        meanK /= ranges.Length;
        double ata00 = 0, ata01 = 0, ata11 = 0, atb0 = 0, atb1 = 0;
        foreach (var range in ranges)
        {
            // 2 (a_i - mean a) · p = k_i - mean k, with k_i = |a_i|² - d_i²
            double ax = 2 * (range.Anchor.X - meanX), ay = 2 * (range.Anchor.Y - meanY);
            var k = (range.Anchor.X * range.Anchor.X) + (range.Anchor.Y * range.Anchor.Y) - (range.Distance * range.Distance) - meanK;
            ata00 += ax * ax;
            ata01 += ax * ay;
            ata11 += ay * ay;
            atb0 += ax * k;
            atb1 += ay * k;
        }

        var determinant = (ata00 * ata11) - (ata01 * ata01);
        var trace = ata00 + ata11;
        // Relative test: the smaller eigenvalue against the larger (1e-12 ≈ anchors off a line by 1 µm per metre).
        if (trace == 0 || determinant <= 1e-12 * trace * trace)
        {
            guess = default;
            failure = "anchors are collinear; a 2-D position is ambiguous";
            return false;
        }

        guess = new Point2(((ata11 * atb0) - (ata01 * atb1)) / determinant, ((ata00 * atb1) - (ata01 * atb0)) / determinant);
        failure = "";
        return true;
    }

    private static double Cost(ReadOnlySpan<AnchorRange> ranges, Point2 p)
    {
        double sum = 0;
        foreach (var range in ranges)
        {
            var residual = p.DistanceTo(range.Anchor) - range.Distance;
            sum += residual * residual;
        }

        return sum;
    }

    private static double Scale(ReadOnlySpan<AnchorRange> ranges)
    {
        double scale = 1;
        foreach (var range in ranges)
        {
            scale = Math.Max(scale, Math.Max(Math.Abs(range.Anchor.X), Math.Max(Math.Abs(range.Anchor.Y), range.Distance)));
        }

        return scale;
    }
}
