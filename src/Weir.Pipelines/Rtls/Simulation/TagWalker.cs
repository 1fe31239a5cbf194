namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>
/// One simulated tag walking through the floor plan: from a point in one room to a random point in an adjoining
/// room, at constant speed, for ever. Deterministic for a given random source.
/// </summary>
internal sealed class TagWalker
{
    private readonly FloorPlan _plan;
    private readonly Random _random;
    private readonly double _speed;
    private readonly List<int>[] _neighbours;
    private int _room;
    private Point2 _target;

    public TagWalker(string id, FloorPlan plan, List<int>[] neighbours, Random random, double speed, bool detached, bool batteryLow)
    {
        Id = id;
        _plan = plan;
        _neighbours = neighbours;
        _random = random;
        _speed = speed;
        Detached = detached;
        BatteryLow = batteryLow;
        _room = random.Next(plan.Rooms.Count);
        Position = PointIn(plan.Rooms[_room]);
        _target = NextTarget();
    }

    public string Id { get; }

    public Point2 Position { get; private set; }

    public bool Detached { get; }

    public bool BatteryLow { get; }

    /// <summary>Neighbour lists for every room (computed once per plan and shared by its tags).</summary>
    public static List<int>[] Neighbours(FloorPlan plan)
    {
        var neighbours = new List<int>[plan.Rooms.Count];
        for (var i = 0; i < neighbours.Length; i++)
        {
            neighbours[i] = [];
            for (var j = 0; j < neighbours.Length; j++)
            {
                if (i != j && plan.Rooms[i].Adjoins(plan.Rooms[j]))
                {
                    neighbours[i].Add(j);
                }
            }
        }

        return neighbours;
    }

    public void Advance(double seconds)
    {
        var remaining = _speed * seconds;
        while (remaining > 0)
        {
            var toTarget = Position.DistanceTo(_target);
            if (toTarget > remaining)
            {
                var f = remaining / toTarget;
                Position = new Point2(Position.X + ((_target.X - Position.X) * f), Position.Y + ((_target.Y - Position.Y) * f));
                return;
            }

            Position = _target;
            remaining -= toTarget;
            _target = NextTarget();
            if (toTarget == 0 && Position == _target)
            {
                return;
            }
        }
    }

    private Point2 NextTarget()
    {
        var options = _neighbours[_room];
        _room = options.Count > 0 ? options[_random.Next(options.Count)] : _random.Next(_plan.Rooms.Count);
        return PointIn(_plan.Rooms[_room]);
    }

    // Keep a margin from the walls so a path between adjoining rooms stays inside the pair.
    private Point2 PointIn(Room room) =>
        new(room.X + (room.Width * (0.2 + (0.6 * _random.NextDouble()))), room.Y + (room.Height * (0.2 + (0.6 * _random.NextDouble()))));
}
