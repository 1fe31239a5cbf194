namespace Weir.Broker.Protocol.Messages;

/// <summary>JoinGroup (key 11) v0-5. v0 has no rebalance timeout (the session timeout stands in for it).</summary>
internal sealed class JoinGroupRequest : IKafkaMessage<JoinGroupRequest>
{
    public string GroupId { get; set; } = "";

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; } = -1;

    public string MemberId { get; set; } = "";

    public string? GroupInstanceId { get; set; }

    public string ProtocolType { get; set; } = "";

    public List<JoinGroupProtocol> Protocols { get; set; } = [];

    public static JoinGroupRequest Read(ref KafkaReader reader, short version)
    {
        var request = new JoinGroupRequest { GroupId = reader.ReadString(), SessionTimeoutMs = reader.ReadInt32() };
        request.RebalanceTimeoutMs = version >= 1 ? reader.ReadInt32() : request.SessionTimeoutMs;
        request.MemberId = reader.ReadString();
        if (version >= 5)
        {
            request.GroupInstanceId = reader.ReadNullableString();
        }

        request.ProtocolType = reader.ReadString();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.Protocols.Add(new JoinGroupProtocol(reader.ReadString(), reader.ReadBytes().ToArray()));
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId);
        writer.WriteInt32(SessionTimeoutMs);
        if (version >= 1)
        {
            writer.WriteInt32(RebalanceTimeoutMs);
        }

        writer.WriteString(MemberId);
        if (version >= 5)
        {
            writer.WriteNullableString(GroupInstanceId);
        }

        writer.WriteString(ProtocolType);
        writer.WriteArrayLength(Protocols.Count);
        foreach (var protocol in Protocols)
        {
            writer.WriteString(protocol.Name);
            writer.WriteBytes(protocol.Metadata);
        }
    }
}

/// <summary>One assignment strategy a member supports, with its opaque subscription metadata.</summary>
internal sealed record JoinGroupProtocol(string Name, byte[] Metadata);

internal sealed class JoinGroupResponse : IKafkaMessage<JoinGroupResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public int GenerationId { get; set; } = -1;

    public string ProtocolName { get; set; } = "";

    public string Leader { get; set; } = "";

    public string MemberId { get; set; } = "";

    public List<JoinGroupResponseMember> Members { get; set; } = [];

    public static JoinGroupResponse Read(ref KafkaReader reader, short version)
    {
        var response = new JoinGroupResponse();
        if (version >= 2)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        response.GenerationId = reader.ReadInt32();
        response.ProtocolName = reader.ReadString();
        response.Leader = reader.ReadString();
        response.MemberId = reader.ReadString();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            var memberId = reader.ReadString();
            var instanceId = version >= 5 ? reader.ReadNullableString() : null;
            response.Members.Add(new JoinGroupResponseMember(memberId, instanceId, reader.ReadBytes().ToArray()));
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 2)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteInt16((short)ErrorCode);
        writer.WriteInt32(GenerationId);
        writer.WriteString(ProtocolName);
        writer.WriteString(Leader);
        writer.WriteString(MemberId);
        writer.WriteArrayLength(Members.Count);
        foreach (var member in Members)
        {
            writer.WriteString(member.MemberId);
            if (version >= 5)
            {
                writer.WriteNullableString(member.GroupInstanceId);
            }

            writer.WriteBytes(member.Metadata);
        }
    }
}

internal sealed record JoinGroupResponseMember(string MemberId, string? GroupInstanceId, byte[] Metadata);
