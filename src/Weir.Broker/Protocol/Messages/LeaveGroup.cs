namespace Weir.Broker.Protocol.Messages;

/// <summary>LeaveGroup (key 13) v0-3: v0-2 carry one member id, v3 an array with per-member results.</summary>
internal sealed class LeaveGroupRequest : IKafkaMessage<LeaveGroupRequest>
{
    public string GroupId { get; set; } = "";

    /// <summary>The leaving members (v0-2: exactly one, from the single member_id field).</summary>
    public List<LeaveGroupMember> Members { get; set; } = [];

    public static LeaveGroupRequest Read(ref KafkaReader reader, short version)
    {
        var request = new LeaveGroupRequest { GroupId = reader.ReadString() };
        if (version <= 2)
        {
            request.Members.Add(new LeaveGroupMember(reader.ReadString(), null));
            return request;
        }

        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.Members.Add(new LeaveGroupMember(reader.ReadString(), reader.ReadNullableString()));
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId);
        if (version <= 2)
        {
            writer.WriteString(Members.Count > 0 ? Members[0].MemberId : "");
            return;
        }

        writer.WriteArrayLength(Members.Count);
        foreach (var member in Members)
        {
            writer.WriteString(member.MemberId);
            writer.WriteNullableString(member.GroupInstanceId);
        }
    }
}

internal sealed record LeaveGroupMember(string MemberId, string? GroupInstanceId);

internal sealed class LeaveGroupResponse : IKafkaMessage<LeaveGroupResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public List<LeaveGroupMemberResult> Members { get; set; } = [];

    public static LeaveGroupResponse Read(ref KafkaReader reader, short version)
    {
        var response = new LeaveGroupResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 3)
        {
            var count = reader.ReadNonNullArrayLength();
            for (var i = 0; i < count; i++)
            {
                response.Members.Add(new LeaveGroupMemberResult(reader.ReadString(), reader.ReadNullableString(), (ErrorCode)reader.ReadInt16()));
            }
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteInt16((short)ErrorCode);
        if (version >= 3)
        {
            writer.WriteArrayLength(Members.Count);
            foreach (var member in Members)
            {
                writer.WriteString(member.MemberId);
                writer.WriteNullableString(member.GroupInstanceId);
                writer.WriteInt16((short)member.ErrorCode);
            }
        }
    }
}

internal sealed record LeaveGroupMemberResult(string MemberId, string? GroupInstanceId, ErrorCode ErrorCode);
