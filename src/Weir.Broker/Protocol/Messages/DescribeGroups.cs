namespace Weir.Broker.Protocol.Messages;

/// <summary>DescribeGroups (key 15) v0-4.</summary>
internal sealed class DescribeGroupsRequest : IKafkaMessage<DescribeGroupsRequest>
{
    public List<string> Groups { get; set; } = [];

    public bool IncludeAuthorizedOperations { get; set; }

    public static DescribeGroupsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DescribeGroupsRequest();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.Groups.Add(reader.ReadString());
        }

        if (version >= 3)
        {
            request.IncludeAuthorizedOperations = reader.ReadBoolean();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(Groups.Count);
        foreach (var group in Groups)
        {
            writer.WriteString(group);
        }

        if (version >= 3)
        {
            writer.WriteBoolean(IncludeAuthorizedOperations);
        }
    }
}

internal sealed class DescribeGroupsResponse : IKafkaMessage<DescribeGroupsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<DescribedGroup> Groups { get; set; } = [];

    public static DescribeGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DescribeGroupsResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            var group = new DescribedGroup
            {
                ErrorCode = (ErrorCode)reader.ReadInt16(),
                GroupId = reader.ReadString(),
                GroupState = reader.ReadString(),
                ProtocolType = reader.ReadString(),
                ProtocolData = reader.ReadString(),
            };
            var members = reader.ReadNonNullArrayLength();
            for (var j = 0; j < members; j++)
            {
                var memberId = reader.ReadString();
                var instanceId = version >= 4 ? reader.ReadNullableString() : null;
                group.Members.Add(new DescribedGroupMember(memberId, instanceId, reader.ReadString(), reader.ReadString(), reader.ReadBytes().ToArray(), reader.ReadBytes().ToArray()));
            }

            if (version >= 3)
            {
                group.AuthorizedOperations = reader.ReadInt32();
            }

            response.Groups.Add(group);
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteArrayLength(Groups.Count);
        foreach (var group in Groups)
        {
            writer.WriteInt16((short)group.ErrorCode);
            writer.WriteString(group.GroupId);
            writer.WriteString(group.GroupState);
            writer.WriteString(group.ProtocolType);
            writer.WriteString(group.ProtocolData);
            writer.WriteArrayLength(group.Members.Count);
            foreach (var member in group.Members)
            {
                writer.WriteString(member.MemberId);
                if (version >= 4)
                {
                    writer.WriteNullableString(member.GroupInstanceId);
                }

                writer.WriteString(member.ClientId);
                writer.WriteString(member.ClientHost);
                writer.WriteBytes(member.MemberMetadata);
                writer.WriteBytes(member.MemberAssignment);
            }

            if (version >= 3)
            {
                writer.WriteInt32(group.AuthorizedOperations);
            }
        }
    }
}

internal sealed class DescribedGroup
{
    public ErrorCode ErrorCode { get; set; }

    public string GroupId { get; set; } = "";

    public string GroupState { get; set; } = "";

    public string ProtocolType { get; set; } = "";

    public string ProtocolData { get; set; } = "";

    public List<DescribedGroupMember> Members { get; set; } = [];

    public int AuthorizedOperations { get; set; } = MetadataResponse.OperationsNotRequested;
}

internal sealed record DescribedGroupMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] MemberMetadata, byte[] MemberAssignment);
