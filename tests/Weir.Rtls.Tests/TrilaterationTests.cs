using System.Globalization;
using System.Text;
using Weir.Pipelines.Rtls;

namespace Weir.Rtls.Tests;

public sealed class TrilaterationTests
{
    private static readonly Point2 A0 = new(2, 0), A1 = new(0, 2), A2 = new(2, 3);

    [Fact]
    public void Noise_free_ranges_from_the_original_anchors_give_each_room_centre_exactly()
    {
        Point2[] centres = [new(1.5, 0.5), new(1.5, 1.5), new(1.5, 2.5), new(0.5, 0.5), new(0.5, 1.5), new(0.5, 2.5)];
        foreach (var truth in centres)
        {
            var result = Trilateration.Solve([Range(A0, truth), Range(A1, truth), Range(A2, truth)]);

            Assert.True(result.Solved, result.Failure);
            Assert.Equal(SolveMethod.ClosedForm, result.Method);
            AssertClose(truth, result.Position, 1e-6);
        }
    }

    [Fact]
    public void Noise_free_ranges_give_the_true_position_for_random_geometry_and_any_number_of_anchors()
    {
        var random = new Random(11);
        var solvedBy = new Dictionary<SolveMethod, int>();
        for (var trial = 0; trial < 2_000; trial++)
        {
            var anchors = new Point2[3 + (trial % 6)];
            for (var i = 0; i < anchors.Length; i++)
            {
                anchors[i] = new Point2((random.NextDouble() * 100) - 50, (random.NextDouble() * 100) - 50);
            }

            if (anchors.Length == 3 && Math.Abs(Trilateration.GeometrySine(anchors[0], anchors[1], anchors[2])) < 0.02)
            {
                continue; // nearly collinear: covered by its own test
            }

            var truth = new Point2((random.NextDouble() * 120) - 60, (random.NextDouble() * 120) - 60);
            var ranges = anchors.Select(a => Range(a, truth)).ToArray();

            var result = Trilateration.Solve(ranges);

            Assert.True(result.Solved, result.Failure);
            AssertClose(truth, result.Position, 1e-6);
            solvedBy[result.Method] = solvedBy.GetValueOrDefault(result.Method) + 1;
        }

        Assert.True(solvedBy.GetValueOrDefault(SolveMethod.ClosedForm) > 100, "the closed form was exercised");
        Assert.True(solvedBy.GetValueOrDefault(SolveMethod.LeastSquares) > 1_000, "least squares was exercised");
    }

    [Fact]
    public void Three_anchors_with_poor_geometry_are_solved_by_least_squares()
    {
        // Nearly in a line (|sin| ≈ 0.05): the closed form's determinant is small and noise would be amplified.
        Point2 a = new(0, 0), b = new(10, 0), c = new(20, 1);
        var truth = new Point2(7, 6);

        var result = Trilateration.Solve([Range(a, truth), Range(b, truth), Range(c, truth)]);

        Assert.True(Math.Abs(Trilateration.GeometrySine(a, b, c)) < Trilateration.DefaultMinimumGeometry);
        Assert.Equal(SolveMethod.LeastSquares, result.Method);
        AssertClose(truth, result.Position, 1e-6);
    }

    [Fact]
    public void Collinear_anchors_are_a_failure_with_a_reason()
    {
        var truth = new Point2(3, 4);

        var result = Trilateration.Solve([Range(new(0, 0), truth), Range(new(5, 0), truth), Range(new(9, 0), truth), Range(new(12, 0), truth)]);

        Assert.False(result.Solved);
        Assert.Contains("collinear", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_than_three_anchors_or_bad_distances_are_failures()
    {
        Assert.Contains("at least 3", Trilateration.Solve([new(A0, 1), new(A1, 1)]).Failure, StringComparison.Ordinal);
        Assert.Contains("invalid distance", Trilateration.Solve([new(A0, 1), new(A1, double.NaN), new(A2, 1)]).Failure, StringComparison.Ordinal);
        Assert.Contains("invalid distance", Trilateration.Solve([new(A0, 1), new(A1, -2), new(A2, 1)]).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Least_squares_with_redundant_noisy_anchors_beats_three_anchors()
    {
        var random = new Random(5);
        Point2[] anchors = [new(0, 0), new(10, 0), new(0, 10), new(10, 10), new(5, -3), new(-3, 5)];
        double errorThree = 0, errorSix = 0;
        const int Trials = 2_000;
        for (var trial = 0; trial < Trials; trial++)
        {
            var truth = new Point2(1 + (random.NextDouble() * 8), 1 + (random.NextDouble() * 8));
            var ranges = anchors.Select(a => new AnchorRange(a, a.DistanceTo(truth) + (0.1 * Gaussian(random)))).ToArray();
            errorThree += Trilateration.Solve(ranges.AsSpan(0, 3)).Position.DistanceTo(truth);
            errorSix += Trilateration.Solve(ranges).Position.DistanceTo(truth);
        }

        Assert.True(errorSix < errorThree * 0.8, $"mean error with 6 anchors {errorSix / Trials:F4} m vs 3 anchors {errorThree / Trials:F4} m");
    }

    /// <summary>The closed form is the original's formula operation for operation: same doubles as Python computes.</summary>
    [Fact]
    public async Task The_closed_form_matches_the_original_python_formula_bit_for_bit()
    {
        var random = new Random(3);
        var cases = new List<(Point2 P1, Point2 P2, Point2 P3, double R1, double R2, double R3)>();
        for (var i = 0; i < 500; i++)
        {
            // Integer anchor coordinates as in the original's anchorDict; float32 distances as TagData carries them.
            Point2 P() => new(random.Next(-20, 21), random.Next(-20, 21));
            cases.Add((P(), P(), P(), (float)(random.NextDouble() * 30), (float)(random.NextDouble() * 30), (float)(random.NextDouble() * 30)));
        }

        var input = new StringBuilder();
        foreach (var c in cases)
        {
            input.AppendLine(string.Join(' ', new[] { c.P1.X, c.P1.Y, c.P2.X, c.P2.Y, c.P3.X, c.P3.Y, c.R1, c.R2, c.R3 }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }

        const string Script = """
            import sys
            for line in sys.stdin:
                v = line.split()
                x1, y1, x2, y2, x3, y3 = (int(float(s)) for s in v[:6])
                r1, r2, r3 = (float(s) for s in v[6:])
                A = 2*x2 - 2*x1
                B = 2*y2 - 2*y1
                C = r1**2 - r2**2 - x1**2 + x2**2 - y1**2 + y2**2
                D = 2*x3 - 2*x2
                E = 2*y3 - 2*y2
                F = r2**2 - r3**2 - x2**2 + x3**2 - y2**2 + y3**2
                try:
                    x = (C*E - F*B) / (E*A - B*D)
                    y = (C*D - A*F) / (B*D - A*E)
                except ZeroDivisionError:
                    x = 0.1
                    y = 0.1
                print(repr(float(x)), repr(float(y)))
            """;
        var result = await Weir.Testing.ProcessRun.RunAsync("/usr/bin/python3", ["-c", Script], TimeSpan.FromSeconds(60), input.ToString());
        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);

        var zeroDeterminants = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var expected = lines[i].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var solved = Trilateration.TryClosedForm(new(c.P1, c.R1), new(c.P2, c.R2), new(c.P3, c.R3), out var p);
            if (!solved)
            {
                zeroDeterminants++;
                p = new Point2(0.1, 0.1); // what the compatibility mode writes, as the original's except branch
            }

            Assert.Equal(expected[0], p.X);
            Assert.Equal(expected[1], p.Y);
        }

        Assert.True(zeroDeterminants > 0, "random integer anchors include collinear triples");
    }

    internal static AnchorRange Range(Point2 anchor, Point2 tag) => new(anchor, anchor.DistanceTo(tag));

    internal static void AssertClose(Point2 expected, Point2 actual, double tolerance) =>
        Assert.True(expected.DistanceTo(actual) <= tolerance, $"expected {expected}, got {actual} (off by {expected.DistanceTo(actual):E2})");

    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
