using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Weir.Broker.Protocol;

namespace Weir.Broker.Storage;

/// <summary>
/// Every topic of the broker, on disk under <c>topics/&lt;name&gt;/</c>: a <c>topic.json</c> manifest
/// (written last, atomically, so a half-created topic is recognisable) and one folder per partition.
/// </summary>
internal sealed class TopicStore : IDisposable
{
    public const string ManifestFile = "topic.json";
    private const string DeletedPrefix = ".deleted-";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly string _root;
    private readonly LogConfig _defaults;
    private readonly int _defaultPartitions;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public TopicStore(string root, LogConfig defaults, int defaultPartitions, TimeProvider time, ILogger log)
    {
        _root = root;
        _defaults = defaults;
        _defaultPartitions = defaultPartitions;
        _time = time;
        _log = log;
    }

    public LogConfig Defaults => _defaults;

    public ICollection<Topic> All => _topics.Values;

    public static bool IsValidName(string name, out string? error)
    {
        error = null;
        if (name.Length is 0 or > 249)
        {
            error = "topic names are 1 to 249 characters long";
        }
        else if (name is "." or "..")
        {
            error = "'.' and '..' are not topic names";
        }
        else
        {
            foreach (var c in name)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    error = $"topic names use only letters, digits, '.', '_' and '-' ('{name}')";
                    break;
                }
            }
        }

        return error is null;
    }

    /// <summary>Opens every topic found on disk; removes leftovers of interrupted creations and deletions.</summary>
    public void Load()
    {
        Directory.CreateDirectory(_root);
        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(directory);
            var manifestPath = Path.Combine(directory, ManifestFile);
            if (name.StartsWith(DeletedPrefix, StringComparison.Ordinal) || !File.Exists(manifestPath))
            {
                _log.LogInformation("removing {Directory}: an interrupted topic creation or deletion", directory);
                Directory.Delete(directory, recursive: true);
                continue;
            }

            var manifest = JsonSerializer.Deserialize<TopicManifest>(File.ReadAllText(manifestPath), JsonOptions)
                ?? throw new InvalidDataException($"{manifestPath} is empty");
            if (TopicConfigs.TryApply(manifest.Configs, _defaults, out var config, out var error) != ErrorCode.None)
            {
                throw new InvalidDataException($"{manifestPath}: {error}");
            }

            _topics[manifest.Name] = Open(manifest, config, directory);
        }
    }

    public bool TryGet(string name, out Topic topic) => _topics.TryGetValue(name, out topic!);

    /// <summary>Creates a topic (or only checks that it could be, with <paramref name="validateOnly"/>).</summary>
    public ErrorCode Create(string name, int partitions, short replicationFactor, IReadOnlyDictionary<string, string> configs, bool validateOnly, out string? error)
    {
        if (!IsValidName(name, out error))
        {
            return ErrorCode.InvalidTopicException;
        }

        if (partitions == -1)
        {
            partitions = _defaultPartitions;
        }

        if (partitions <= 0 || partitions > 100_000)
        {
            error = $"number of partitions must be between 1 and 100000, got {partitions}";
            return ErrorCode.InvalidPartitions;
        }

        if (replicationFactor is not (-1 or 1))
        {
            error = $"this is a single-node broker: replication factor must be 1 (or -1 for the default), got {replicationFactor}";
            return ErrorCode.InvalidReplicationFactor;
        }

        var code = TopicConfigs.TryApply(configs, _defaults, out var config, out error);
        if (code != ErrorCode.None)
        {
            return code;
        }

        lock (_createLock)
        {
            if (_topics.ContainsKey(name))
            {
                error = $"topic '{name}' already exists";
                return ErrorCode.TopicAlreadyExists;
            }

            if (validateOnly)
            {
                return ErrorCode.None;
            }

            var directory = Path.Combine(_root, name);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            var manifest = new TopicManifest(name, Guid.NewGuid(), partitions, new Dictionary<string, string>(configs, StringComparer.Ordinal));
            var topic = Open(manifest, config, directory);
            var manifestPath = Path.Combine(directory, ManifestFile);
            File.WriteAllText(manifestPath + ".tmp", JsonSerializer.Serialize(manifest, JsonOptions));
            File.Move(manifestPath + ".tmp", manifestPath);
            _topics[name] = topic;
            _log.LogInformation("created topic {Topic} with {Partitions} partition(s)", name, partitions);
            return ErrorCode.None;
        }
    }

    /// <summary>The topic, created with broker defaults when it does not exist and creation is allowed.</summary>
    public ErrorCode GetOrCreate(string name, bool allowCreate, out Topic? topic)
    {
        if (_topics.TryGetValue(name, out topic))
        {
            return ErrorCode.None;
        }

        if (!IsValidName(name, out _))
        {
            return ErrorCode.InvalidTopicException;
        }

        if (!allowCreate)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        var code = Create(name, -1, -1, new Dictionary<string, string>(), validateOnly: false, out _);
        if (code is not (ErrorCode.None or ErrorCode.TopicAlreadyExists))
        {
            return code;
        }

        return _topics.TryGetValue(name, out topic) ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;
    }

    public ErrorCode Delete(string name)
    {
        lock (_createLock)
        {
            if (!_topics.TryRemove(name, out var topic))
            {
                return ErrorCode.UnknownTopicOrPartition;
            }

            foreach (var partition in topic.Partitions)
            {
                partition.Dispose();
            }

            // Rename first: a crash in the middle leaves a folder Load() recognises as deleted.
            var directory = Path.Combine(_root, name);
            var doomed = Path.Combine(_root, DeletedPrefix + name + "-" + Guid.NewGuid().ToString("N"));
            Directory.Move(directory, doomed);
            Directory.Delete(doomed, recursive: true);
            _log.LogInformation("deleted topic {Topic}", name);
            return ErrorCode.None;
        }
    }

    public void Dispose()
    {
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                try
                {
                    partition.Close();
                }
                catch (IOException error)
                {
                    _log.LogError(error, "closing {Topic}-{Partition} failed", partition.Topic, partition.Partition);
                }
            }
        }

        _topics.Clear();
    }

    private Topic Open(TopicManifest manifest, LogConfig config, string directory)
    {
        var partitions = new PartitionLog[manifest.Partitions];
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i] = PartitionLog.Open(manifest.Name, i, Path.Combine(directory, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), config, _time, _log);
        }

        return new Topic(manifest.Name, manifest.Id, manifest.Configs, partitions);
    }

    private sealed record TopicManifest(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("id")] Guid Id,
        [property: JsonPropertyName("partitions")] int Partitions,
        [property: JsonPropertyName("configs")] Dictionary<string, string> Configs);
}
