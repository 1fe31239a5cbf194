using System.Globalization;
using Weir.Broker.Protocol;

namespace Weir.Broker.Storage;

/// <summary>
/// Kafka topic configuration names this broker understands. The first group shapes the log; the second is
/// accepted and reported (so tools that always set them keep working) but has no effect on a single node.
/// Anything else is INVALID_CONFIG, as in Kafka.
/// </summary>
internal static class TopicConfigs
{
    public const string RetentionMs = "retention.ms";
    public const string RetentionBytes = "retention.bytes";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string TimestampType = "message.timestamp.type";
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";

    private static readonly Dictionary<string, string> Inert = new(StringComparer.Ordinal)
    {
        ["min.insync.replicas"] = "1",
        ["unclean.leader.election.enable"] = "false",
        ["flush.messages"] = "9223372036854775807",
        ["flush.ms"] = "9223372036854775807",
        ["file.delete.delay.ms"] = "60000",
        ["delete.retention.ms"] = "86400000",
        ["min.compaction.lag.ms"] = "0",
        ["max.compaction.lag.ms"] = "9223372036854775807",
        ["min.cleanable.dirty.ratio"] = "0.5",
        ["segment.jitter.ms"] = "0",
        ["segment.index.bytes"] = "10485760",
        ["preallocate"] = "false",
        ["message.downconversion.enable"] = "true",
        ["message.timestamp.difference.max.ms"] = "9223372036854775807",
        ["message.timestamp.before.max.ms"] = "9223372036854775807",
        ["message.timestamp.after.max.ms"] = "9223372036854775807",
        ["local.retention.ms"] = "-2",
        ["local.retention.bytes"] = "-2",
        ["remote.storage.enable"] = "false",
        ["leader.replication.throttled.replicas"] = "",
        ["follower.replication.throttled.replicas"] = "",
    };

    /// <summary>Every name with its value for a topic: explicit settings first, else the broker default.</summary>
    public static IEnumerable<(string Name, string Value, bool Explicit)> Describe(IReadOnlyDictionary<string, string> explicitConfigs, LogConfig defaults)
    {
        var effective = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [RetentionMs] = Invariant(defaults.RetentionMs),
            [RetentionBytes] = Invariant(defaults.RetentionBytes),
            [SegmentBytes] = Invariant(defaults.SegmentBytes),
            [SegmentMs] = Invariant(defaults.SegmentMs),
            [MaxMessageBytes] = Invariant(defaults.MaxMessageBytes),
            [IndexIntervalBytes] = Invariant(defaults.IndexIntervalBytes),
            [TimestampType] = defaults.LogAppendTime ? "LogAppendTime" : "CreateTime",
            [CleanupPolicy] = defaults.DeleteRetention ? "delete" : "compact",
            [CompressionType] = "producer",
        };
        foreach (var (name, value) in Inert)
        {
            effective[name] = value;
        }

        foreach (var (name, value) in effective)
        {
            var isExplicit = explicitConfigs.TryGetValue(name, out var set);
            yield return (name, isExplicit ? set! : value, isExplicit);
        }
    }

    /// <summary>Applies explicit settings over the broker defaults; on a bad name or value returns the error.</summary>
    public static ErrorCode TryApply(IReadOnlyDictionary<string, string> configs, LogConfig defaults, out LogConfig config, out string? error)
    {
        config = defaults;
        error = null;
        foreach (var (name, value) in configs)
        {
            switch (name)
            {
                case RetentionMs when TryLong(value, -1, out var v):
                    config = config with { RetentionMs = v };
                    break;
                case RetentionBytes when TryLong(value, -1, out var v):
                    config = config with { RetentionBytes = v };
                    break;
                case SegmentBytes when TryLong(value, 14, out var v) && v <= int.MaxValue:
                    config = config with { SegmentBytes = (int)v };
                    break;
                case SegmentMs when TryLong(value, 1, out var v):
                    config = config with { SegmentMs = v };
                    break;
                case MaxMessageBytes when TryLong(value, 0, out var v) && v <= int.MaxValue:
                    config = config with { MaxMessageBytes = (int)v };
                    break;
                case IndexIntervalBytes when TryLong(value, 0, out var v) && v <= int.MaxValue:
                    config = config with { IndexIntervalBytes = (int)v };
                    break;
                case TimestampType when value is "CreateTime" or "LogAppendTime":
                    config = config with { LogAppendTime = value == "LogAppendTime" };
                    break;
                case CleanupPolicy when IsCleanupPolicy(value):
                    // Compaction is not implemented: a compact-only topic keeps everything, which readers that
                    // take the last value per key still read correctly (docs/broker.md "Known gaps").
                    config = config with { DeleteRetention = value.Contains("delete", StringComparison.Ordinal) };
                    break;
                case CompressionType when value == "producer":
                    break;
                case CompressionType:
                    error = "compression.type must be 'producer': this broker stores batches exactly as produced and never recompresses";
                    return ErrorCode.InvalidConfig;
                case var known when Inert.ContainsKey(known):
                    break;
                case RetentionMs or RetentionBytes or SegmentBytes or SegmentMs or MaxMessageBytes or IndexIntervalBytes or TimestampType or CleanupPolicy:
                    error = $"invalid value '{value}' for {name}";
                    return ErrorCode.InvalidConfig;
                default:
                    error = $"unknown topic config '{name}'";
                    return ErrorCode.InvalidConfig;
            }
        }

        return ErrorCode.None;
    }

    private static bool IsCleanupPolicy(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part is not ("delete" or "compact"))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    private static bool TryLong(string value, long minimum, out long result) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result) && result >= minimum;

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
