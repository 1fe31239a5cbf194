using System.Text.Json;
using System.Text.Json.Serialization;
using Weir.Connectors.Files;

namespace Weir.Pipelines.Factory;

/// <summary>
/// How far a producer got with one stream, kept in a small file beside the data so that a restarted producer
/// neither loses nor repeats records. <see cref="Next"/>: every record of the stream with a smaller index is in the
/// topic. <see cref="ScanFrom"/>: per partition, the offset from which records of this stream with index ≥ Next
/// may be found (those delivered after the last save): a restart reads that tail to learn which of them are there.
/// </summary>
internal sealed record ProducerProgress
{
    public required string Stream { get; init; }

    public required string Topic { get; init; }

    public long Next { get; init; }

    /// <summary>Records in the stream as the server last reported it (Weir-Stream-Count), when it did.</summary>
    public long? Count { get; init; }

    public required Dictionary<int, long> ScanFrom { get; init; }
}

/// <summary>Loads and saves <see cref="ProducerProgress"/> durably (temp file, fsync, rename).</summary>
internal sealed class ProducerProgressStore(string folder)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string PathFor(string stream, string topic) =>
        Path.Combine(folder, $"{Sanitise(stream)}-{Sanitise(topic)}.json");

    public ProducerProgress? Load(string stream, string topic)
    {
        var path = PathFor(stream, topic);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ProducerProgress>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the producer progress file '{path}' is damaged ({e.Message}); delete it to start the stream over", e);
        }
    }

    public Task SaveAsync(ProducerProgress progress, CancellationToken cancellationToken) =>
        DurableFile.WriteAllBytesAsync(PathFor(progress.Stream, progress.Topic), JsonSerializer.SerializeToUtf8Bytes(progress, Json), cancellationToken);

    private static string Sanitise(string name)
    {
        var chars = name.Trim('/').ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not '_' and not '.')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
