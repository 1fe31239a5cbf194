using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Groups;

/// <summary>One member of a group: what it joined with, its assignment, its liveness and its parked requests.</summary>
internal sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; } = memberId;

    public string? GroupInstanceId { get; } = groupInstanceId;

    public string ClientId { get; } = clientId;

    public string ClientHost { get; } = clientHost;

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public List<JoinGroupProtocol> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>When the member is considered dead without a heartbeat (not applied while a join or sync is parked).</summary>
    public long SessionDeadlineMs { get; set; }

    public TaskCompletionSource<JoinGroupResponse>? PendingJoin { get; set; }

    public TaskCompletionSource<SyncGroupResponse>? PendingSync { get; set; }

    public bool IsAwaiting => PendingJoin is not null || PendingSync is not null;

    public byte[] MetadataFor(string? protocol)
    {
        foreach (var candidate in Protocols)
        {
            if (candidate.Name == protocol)
            {
                return candidate.Metadata;
            }
        }

        return [];
    }

    public bool SameProtocols(List<JoinGroupProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }

        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }
}
