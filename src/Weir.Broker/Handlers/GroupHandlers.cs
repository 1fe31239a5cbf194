using System.Net;
using Weir.Broker.Groups;
using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Handlers;

/// <summary>The consumer-group APIs. Membership logic lives in <see cref="ConsumerGroup"/>; these map requests to it.</summary>
internal static class GroupHandlers
{
    public static KafkaWriter FindCoordinator(BrokerContext broker, RequestContext request)
    {
        // This node for every key (research note section 4). A transaction coordinator lookup is answered too, so
        // that a transactional producer reaches InitProducerId and gets its fatal TRANSACTIONAL_ID_AUTHORIZATION_FAILED
        // at once; COORDINATOR_NOT_AVAILABLE is retriable and left librdkafka retrying until its timeout.
        _ = request.Parse<FindCoordinatorRequest>();
        return request.Respond(new FindCoordinatorResponse { NodeId = broker.NodeId, Host = broker.AdvertisedHost, Port = broker.AdvertisedPort });
    }

    public static async ValueTask<KafkaWriter?> JoinGroupAsync(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<JoinGroupRequest>();
        JoinGroupResponse response;
        if (body.GroupId.Length == 0)
        {
            response = new JoinGroupResponse { ErrorCode = ErrorCode.InvalidGroupId, MemberId = body.MemberId };
        }
        else
        {
            var group = broker.Groups.GetOrCreate(body.GroupId);
            response = await group.Join(body, request.Version, request.Header.ClientId ?? "", ClientHost(request)).ConfigureAwait(false);
        }

        return request.Respond(response);
    }

    public static async ValueTask<KafkaWriter?> SyncGroupAsync(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<SyncGroupRequest>();
        var response = broker.Groups.TryGet(body.GroupId, out var group)
            ? await group.Sync(body).ConfigureAwait(false)
            : new SyncGroupResponse { ErrorCode = body.GroupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId };
        return request.Respond(response);
    }

    public static KafkaWriter Heartbeat(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<HeartbeatRequest>();
        var error = broker.Groups.TryGet(body.GroupId, out var group) ? group.Heartbeat(body) : ErrorCode.UnknownMemberId;
        return request.Respond(new HeartbeatResponse { ErrorCode = error });
    }

    public static KafkaWriter LeaveGroup(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<LeaveGroupRequest>();
        var response = new LeaveGroupResponse();
        if (!broker.Groups.TryGet(body.GroupId, out var group))
        {
            response.ErrorCode = ErrorCode.UnknownMemberId;
            response.Members = [.. body.Members.Select(m => new LeaveGroupMemberResult(m.MemberId, m.GroupInstanceId, ErrorCode.UnknownMemberId))];
        }
        else
        {
            foreach (var member in body.Members)
            {
                response.Members.Add(new LeaveGroupMemberResult(member.MemberId, member.GroupInstanceId, group.Leave(member.MemberId, member.GroupInstanceId)));
            }

            // v0-2 answer for their single member at the top level; v3 reports per member.
            if (request.Version <= 2 && response.Members.Count == 1)
            {
                response.ErrorCode = response.Members[0].ErrorCode;
            }
        }

        return request.Respond(response);
    }

    public static ValueTask<KafkaWriter?> OffsetCommitAsync(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<OffsetCommitRequest>();
        var errors = broker.Groups.Commit(body, out _);
        var response = new OffsetCommitResponse();
        var index = 0;
        foreach (var topic in body.Topics)
        {
            var result = new OffsetCommitTopicResult { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(new OffsetCommitPartitionResult(partition.PartitionIndex, errors[index++]));
            }

            response.Topics.Add(result);
        }

        if (broker.Flusher.AcksWaitForDisk && Array.Exists(errors, e => e == ErrorCode.None))
        {
            return RespondAfterFlushAsync(broker, request, response);
        }

        return ValueTask.FromResult<KafkaWriter?>(request.Respond(response));
    }

    public static KafkaWriter OffsetFetch(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<OffsetFetchRequest>();
        var offsets = broker.Groups.Offsets;
        var response = new OffsetFetchResponse();
        if (body.Topics is null)
        {
            foreach (var byTopic in offsets.All(body.GroupId).GroupBy(e => e.Topic))
            {
                var topic = new OffsetFetchTopicResult { Name = byTopic.Key };
                foreach (var (_, partition, committed) in byTopic)
                {
                    topic.Partitions.Add(new OffsetFetchPartitionResult(partition, committed.Offset, committed.LeaderEpoch, committed.Metadata ?? "", ErrorCode.None));
                }

                response.Topics.Add(topic);
            }
        }
        else
        {
            foreach (var requested in body.Topics)
            {
                var topic = new OffsetFetchTopicResult { Name = requested.Name };
                foreach (var partition in requested.PartitionIndexes)
                {
                    // No membership check, and no commit is offset -1 with no error (Kafka's getOffsets).
                    topic.Partitions.Add(offsets.TryGet(body.GroupId, requested.Name, partition, out var committed)
                        ? new OffsetFetchPartitionResult(partition, committed.Offset, committed.LeaderEpoch, committed.Metadata ?? "", ErrorCode.None)
                        : new OffsetFetchPartitionResult(partition, -1, -1, "", ErrorCode.None));
                }

                response.Topics.Add(topic);
            }
        }

        return request.Respond(response);
    }

    public static KafkaWriter DescribeGroups(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<DescribeGroupsRequest>();
        var response = new DescribeGroupsResponse();
        foreach (var groupId in body.Groups)
        {
            response.Groups.Add(broker.Groups.TryGet(groupId, out var group)
                ? group.Describe()
                : new DescribedGroup { GroupId = groupId, GroupState = nameof(GroupState.Dead) });
        }

        return request.Respond(response);
    }

    public static KafkaWriter ListGroups(BrokerContext broker, RequestContext request)
    {
        request.Parse<ListGroupsRequest>();
        var response = new ListGroupsResponse();
        foreach (var group in broker.Groups.Groups.OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            if (group.State != GroupState.Dead)
            {
                response.Groups.Add(new ListedGroup(group.GroupId, group.ProtocolType));
            }
        }

        return request.Respond(response);
    }

    public static KafkaWriter DeleteGroups(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<DeleteGroupsRequest>();
        var response = new DeleteGroupsResponse();
        foreach (var groupId in body.GroupsNames)
        {
            response.Results.Add(new DeletableGroupResult(groupId, broker.Groups.Delete(groupId)));
        }

        return request.Respond(response);
    }

    private static async ValueTask<KafkaWriter?> RespondAfterFlushAsync(BrokerContext broker, RequestContext request, OffsetCommitResponse response)
    {
        try
        {
            await broker.Flusher.WhenFlushedAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            foreach (var topic in response.Topics)
            {
                topic.Partitions = [.. topic.Partitions.Select(p => p with { ErrorCode = p.ErrorCode == ErrorCode.None ? ErrorCode.CoordinatorNotAvailable : p.ErrorCode })];
            }
        }

        return request.Respond(response);
    }

    /// <summary>How Kafka shows a member's host: "/" and the address.</summary>
    private static string ClientHost(RequestContext request) =>
        IPEndPoint.TryParse(request.ClientAddress, out var endpoint) ? "/" + endpoint.Address : "/" + request.ClientAddress;
}
