namespace Weir.Pipelines.Rtls;

/// <summary>A point on the floor plan, in metres.</summary>
internal readonly record struct Point2(double X, double Y)
{
    public double DistanceTo(Point2 other)
    {
        var dx = X - other.X;
        var dy = Y - other.Y;
        return Math.Sqrt((dx * dx) + (dy * dy));
    }

    public override string ToString() => FormattableString.Invariant($"({X}, {Y})");
}

/// <summary>One anchor's measured distance to a tag, with the anchor's known position.</summary>
internal readonly record struct AnchorRange(Point2 Anchor, double Distance);
