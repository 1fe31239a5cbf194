using System.Text.Json;

namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>A rectangular room of the floor plan, in metres.</summary>
internal readonly record struct Room(string Name, double X, double Y, double Width, double Height)
{
    public Point2 Center => new(X + (Width / 2), Y + (Height / 2));

    public bool Contains(Point2 p) => p.X >= X && p.X <= X + Width && p.Y >= Y && p.Y <= Y + Height;

    /// <summary>Rooms that share a stretch of wall: a tag walks from one to the other.</summary>
    public bool Adjoins(Room other)
    {
        const double Epsilon = 1e-9;
        var overlapX = Math.Min(X + Width, other.X + other.Width) - Math.Max(X, other.X);
        var overlapY = Math.Min(Y + Height, other.Y + other.Height) - Math.Max(Y, other.Y);
        return (overlapX > Epsilon && Math.Abs(overlapY) <= Epsilon) || (overlapY > Epsilon && Math.Abs(overlapX) <= Epsilon);
    }
}

/// <summary>
/// What the simulator simulates: anchors, rooms tags walk through, and the anchors' range. The JSON file form
/// (<c>{"anchors": {"A0": [2, 0], ...}, "rooms": [...], "max_range": 100}</c>) doubles as the job's anchor file.
/// </summary>
internal sealed class FloorPlan
{
    public FloorPlan(AnchorMap anchors, IReadOnlyList<Room> rooms, double maxRange)
    {
        if (anchors.Count < 3)
        {
            throw new FormatException($"a floor plan needs at least 3 anchors, found {anchors.Count}");
        }

        if (rooms.Count == 0)
        {
            throw new FormatException("a floor plan needs at least one room");
        }

        Anchors = anchors;
        Rooms = rooms;
        MaxRange = maxRange > 0 ? maxRange : throw new FormatException("max_range must be positive");
    }

    public AnchorMap Anchors { get; }

    public IReadOnlyList<Room> Rooms { get; }

    /// <summary>Anchors hear tags up to this distance (the firmware's limit is 100 m).</summary>
    public double MaxRange { get; }

    /// <summary>The original's set-up: anchors A0 (2,0), A1 (0,2), A2 (2,3) and its load test's six 1 m rooms.</summary>
    public static FloorPlan Default { get; } = new(AnchorMap.Default,
    [
        new("R1", 1, 0, 1, 1), new("R2", 1, 1, 1, 1), new("R3", 1, 2, 1, 1),
        new("R4", 0, 0, 1, 1), new("R5", 0, 1, 1, 1), new("R6", 0, 2, 1, 1),
    ], 100);

    /// <summary>
    /// A large floor for load: <paramref name="anchorCount"/> anchors on a square grid <paramref name="spacing"/>
    /// metres apart, one room per grid cell, range 1.5 × spacing (a tag hears its cell's corners and a few more).
    /// </summary>
    public static FloorPlan Grid(int anchorCount, double spacing = 10)
    {
        if (anchorCount < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(anchorCount), "a grid floor plan needs at least 4 anchors");
        }

        var columns = (int)Math.Ceiling(Math.Sqrt(anchorCount));
        var anchors = new Dictionary<string, Point2>(StringComparer.Ordinal);
        var present = new HashSet<(int, int)>();
        for (var i = 0; i < anchorCount; i++)
        {
            var (row, column) = Math.DivRem(i, columns);
            anchors[$"A{i}"] = new Point2(column * spacing, row * spacing);
            present.Add((row, column));
        }

        var rooms = new List<Room>();
        foreach (var (row, column) in present)
        {
            if (present.Contains((row + 1, column)) && present.Contains((row, column + 1)) && present.Contains((row + 1, column + 1)))
            {
                rooms.Add(new Room($"R{row}-{column}", column * spacing, row * spacing, spacing, spacing));
            }
        }

        rooms.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new FloorPlan(new AnchorMap(anchors), rooms, 1.5 * spacing);
    }

    public static FloorPlan Load(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            var anchors = AnchorMap.Parse(bytes);
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var rooms = new List<Room>();
            if (document.RootElement.TryGetProperty("rooms", out var roomArray))
            {
                foreach (var room in roomArray.EnumerateArray())
                {
                    rooms.Add(new Room(
                        room.TryGetProperty("name", out var name) ? name.GetString() ?? $"R{rooms.Count + 1}" : $"R{rooms.Count + 1}",
                        room.GetProperty("x").GetDouble(), room.GetProperty("y").GetDouble(),
                        room.GetProperty("width").GetDouble(), room.GetProperty("height").GetDouble()));
                }
            }
            else
            {
                rooms.AddRange(Default.Rooms);
            }

            var maxRange = document.RootElement.TryGetProperty("max_range", out var range) ? range.GetDouble() : 100;
            return new FloorPlan(anchors, rooms, maxRange);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"floor plan '{path}': {error.Message}", error);
        }
    }
}
