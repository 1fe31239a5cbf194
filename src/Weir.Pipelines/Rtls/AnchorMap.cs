using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// Known anchor positions, immutable: a new map replaces the old one as a whole, so a window being solved
/// never sees half an update. The JSON form is the original's <c>anchorDict</c>: <c>{"A0": [2, 0], ...}</c>.
/// </summary>
internal sealed class AnchorMap
{
    /// <summary>The original job's anchors: A0 (2,0), A1 (0,2), A2 (2,3).</summary>
    public static readonly AnchorMap Default = new(new Dictionary<string, Point2>(StringComparer.Ordinal)
    {
        ["A0"] = new(2, 0),
        ["A1"] = new(0, 2),
        ["A2"] = new(2, 3),
    });

    public static readonly AnchorMap Empty = new(new Dictionary<string, Point2>(StringComparer.Ordinal));

    private readonly FrozenDictionary<string, Point2> _anchors;

    public AnchorMap(IEnumerable<KeyValuePair<string, Point2>> anchors) =>
        _anchors = anchors.ToFrozenDictionary(StringComparer.Ordinal);

    public int Count => _anchors.Count;

    public IEnumerable<string> Ids => _anchors.Keys;

    public IEnumerable<KeyValuePair<string, Point2>> Entries => _anchors;

    public bool TryGet(string anchorId, out Point2 position) => _anchors.TryGetValue(anchorId, out position);

    /// <summary>This map with one anchor set (a position) or removed (null).</summary>
    public AnchorMap With(string anchorId, Point2? position)
    {
        var copy = new Dictionary<string, Point2>(_anchors, StringComparer.Ordinal);
        if (position is { } p)
        {
            copy[anchorId] = p;
        }
        else
        {
            copy.Remove(anchorId);
        }

        return new AnchorMap(copy);
    }

    /// <summary>From configuration: anchor id → [x, y].</summary>
    public static AnchorMap FromConfiguration(IReadOnlyDictionary<string, double[]> anchors)
    {
        var map = new Dictionary<string, Point2>(StringComparer.Ordinal);
        foreach (var (id, xy) in anchors)
        {
            map[id] = ToPoint(id, xy);
        }

        return new AnchorMap(map);
    }

    /// <summary>Parses <c>{"A0": [2, 0], ...}</c>, or a file whose top level holds that object under "anchors".</summary>
    public static AnchorMap Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("anchors", out var nested))
        {
            root = nested;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("anchors must be a JSON object of id → [x, y], e.g. {\"A0\": [2, 0]}");
        }

        var map = new Dictionary<string, Point2>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            map[property.Name] = ParsePosition(property.Name, property.Value);
        }

        return new AnchorMap(map);
    }

    public static AnchorMap Load(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception error) when (error is JsonException or FormatException)
        {
            throw new FormatException($"anchor file '{path}': {error.Message}", error);
        }
    }

    /// <summary>One anchor's position as it travels on the compacted anchors topic: <c>[x, y]</c>.</summary>
    public static Point2 ParsePosition(string anchorId, ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return ParsePosition(anchorId, document.RootElement);
        }
        catch (JsonException error)
        {
            throw new FormatException($"anchor '{anchorId}': {error.Message}", error);
        }
    }

    public static byte[] FormatPosition(Point2 position) =>
        System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"[{position.X:R}, {position.Y:R}]"));

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (id, p) in _anchors.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray(id);
                writer.WriteNumberValue(p.X);
                writer.WriteNumberValue(p.Y);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Point2 ParsePosition(string id, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
            && value[0].ValueKind == JsonValueKind.Number && value[1].ValueKind == JsonValueKind.Number)
        {
            return ToPoint(id, [value[0].GetDouble(), value[1].GetDouble()]);
        }

        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("x", out var x) && value.TryGetProperty("y", out var y)
            && x.ValueKind == JsonValueKind.Number && y.ValueKind == JsonValueKind.Number)
        {
            return ToPoint(id, [x.GetDouble(), y.GetDouble()]);
        }

        throw new FormatException($"anchor '{id}': position must be [x, y] (metres), got {value.GetRawText()}");
    }

    private static Point2 ToPoint(string id, double[] xy)
    {
        if (xy is not { Length: 2 } || !double.IsFinite(xy[0]) || !double.IsFinite(xy[1]))
        {
            throw new FormatException($"anchor '{id}': position must be two finite numbers [x, y]");
        }

        return new Point2(xy[0], xy[1]);
    }
}
