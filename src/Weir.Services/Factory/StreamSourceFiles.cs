using System.Globalization;
using System.Text.Json;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Services.Factory;

/// <summary>One data file ready to stream: its records as NDJSON lines (each ending in '\n'), sorted by time.</summary>
internal sealed class StreamSource(string name, string path, byte[][] lines)
{
    /// <summary>The file's stem; the endpoint is <c>/stream_data_{Name}</c>.</summary>
    public string Name { get; } = name;

    public string Path { get; } = path;

    public IReadOnlyList<byte[]> Lines { get; } = lines;
}

/// <summary>
/// Loads every <c>*.json</c> file of the source folder as the original API does at start-up: a JSON array of objects,
/// each with a numeric <c>time</c>, stably sorted by it, each record rendered as Python's <c>json.dumps</c> would.
/// A file that cannot be served (not an array of objects, a record without a numeric time) is an error that names
/// the file and the record.
/// </summary>
internal static class StreamSourceFiles
{
    public static IReadOnlyDictionary<string, StreamSource> Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"the factory data folder '{folder}' does not exist");
        }

        var sources = new SortedDictionary<string, StreamSource>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(path);
            sources[name] = new StreamSource(name, path, LoadFile(path));
        }

        return sources;
    }

    public static byte[][] LoadFile(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{path}: expected a JSON array of records, found {document.RootElement.ValueKind}");
            }

            var records = new List<(double Time, byte[] Line)>(document.RootElement.GetArrayLength());
            var index = 0;
            var text = new StringBuilder(128);
            foreach (var record in document.RootElement.EnumerateArray())
            {
                if (record.ValueKind != JsonValueKind.Object
                    || !record.TryGetProperty("time", out var time)
                    || time.ValueKind != JsonValueKind.Number)
                {
                    throw new InvalidDataException(
                        $"{path}: record {index.ToString(CultureInfo.InvariantCulture)} has no numeric \"time\" to sort by: {Excerpt(record)}");
                }

                text.Clear();
                PythonJson.Write(text, record);
                text.Append('\n');
                records.Add((time.GetDouble(), Encoding.UTF8.GetBytes(text.ToString())));
                index++;
            }

            // OrderBy is a stable sort, like Python's sorted(): records with equal times keep their file order.
            return [.. records.OrderBy(r => r.Time).Select(r => r.Line)];
        }
    }

    private static string Excerpt(JsonElement record)
    {
        var raw = record.GetRawText();
        return raw.Length > 80 ? raw[..80] + "…" : raw;
    }
}
