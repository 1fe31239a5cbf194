using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Groups;

/// <summary>
/// Coordinates every consumer group on this node: membership and rebalances (<see cref="ConsumerGroup"/>) and
/// committed offsets (<see cref="OffsetStore"/>). Groups that only have committed offsets exist too (Empty),
/// like in Kafka; after a restart every group comes back Empty with its offsets and members simply rejoin.
/// </summary>
internal sealed class GroupCoordinator : IDisposable
{
    /// <summary>offset.metadata.max.bytes.</summary>
    public const int MaxMetadataLength = 4096;

    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly TimeProvider _time;
    private readonly GroupSettings _settings;
    private readonly ILogger _log;

    public GroupCoordinator(OffsetStore offsets, TimeProvider time, GroupSettings settings, ILogger log)
    {
        Offsets = offsets;
        _time = time;
        _settings = settings;
        _log = log;
        foreach (var group in offsets.Groups)
        {
            GetOrCreate(group);
        }
    }

    public OffsetStore Offsets { get; }

    public ICollection<ConsumerGroup> Groups => _groups.Values;

    public bool TryGet(string groupId, out ConsumerGroup group) => _groups.TryGetValue(groupId, out group!);

    public ConsumerGroup GetOrCreate(string groupId)
    {
        if (_groups.TryGetValue(groupId, out var group) && group.State != GroupState.Dead)
        {
            return group;
        }

        lock (_createLock)
        {
            if (_groups.TryGetValue(groupId, out group) && group.State != GroupState.Dead)
            {
                return group;
            }

            group?.Dispose();
            group = new ConsumerGroup(groupId, _time, _settings, _log);
            _groups[groupId] = group;
            return group;
        }
    }

    /// <summary>Validates and stores a commit; returns one error per partition (Kafka's doCommitOffsets).</summary>
    public ErrorCode[] Commit(OffsetCommitRequest request, out List<(string Topic, int Partition)> partitions)
    {
        partitions = [.. request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex)))];
        var errors = new ErrorCode[partitions.Count];
        ErrorCode groupError;
        if (request.GroupId.Length == 0)
        {
            groupError = ErrorCode.InvalidGroupId;
        }
        else if (!_groups.TryGetValue(request.GroupId, out var group) || group.State == GroupState.Dead)
        {
            // An unknown group accepts only a commit without membership (generation -1), which creates it.
            groupError = request.GenerationId < 0 ? GetOrCreate(request.GroupId).ValidateCommit(request.GenerationId, request.MemberId) : ErrorCode.IllegalGeneration;
        }
        else
        {
            groupError = group.ValidateCommit(request.GenerationId, request.MemberId);
        }

        if (groupError != ErrorCode.None)
        {
            Array.Fill(errors, groupError);
            return errors;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var accepted = new List<(string, int, CommittedOffset)>(partitions.Count);
        var index = 0;
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.CommittedMetadata is { Length: > MaxMetadataLength })
                {
                    errors[index] = ErrorCode.OffsetMetadataTooLarge;
                }
                else
                {
                    accepted.Add((topic.Name, partition.PartitionIndex, new CommittedOffset(partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata, now)));
                }

                index++;
            }
        }

        if (accepted.Count > 0)
        {
            Offsets.Commit(request.GroupId, accepted);
        }

        return errors;
    }

    /// <summary>Deletes an empty group and its offsets (DeleteGroups).</summary>
    public ErrorCode Delete(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
        {
            return ErrorCode.GroupIdNotFound;
        }

        if (!group.TryMarkDead())
        {
            return ErrorCode.NonEmptyGroup;
        }

        _groups.TryRemove(groupId, out _);
        group.Dispose();
        Offsets.DeleteGroup(groupId);
        _log.LogInformation("deleted group {Group}", groupId);
        return ErrorCode.None;
    }

    public void Dispose()
    {
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }
    }
}
