namespace Weir.Broker.Groups;

/// <summary>A group's committed position in one partition.</summary>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs);
