namespace Weir.Broker.Protocol.Messages;

/// <summary>SyncGroup (key 14) v0-3: the leader hands in the assignments, every member gets its own back.</summary>
internal sealed class SyncGroupRequest : IKafkaMessage<SyncGroupRequest>
{
    public string GroupId { get; set; } = "";

    public int GenerationId { get; set; }

    public string MemberId { get; set; } = "";

    public string? GroupInstanceId { get; set; }

    public List<SyncGroupAssignment> Assignments { get; set; } = [];

    public static SyncGroupRequest Read(ref KafkaReader reader, short version)
    {
        var request = new SyncGroupRequest { GroupId = reader.ReadString(), GenerationId = reader.ReadInt32(), MemberId = reader.ReadString() };
        if (version >= 3)
        {
            request.GroupInstanceId = reader.ReadNullableString();
        }

        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.Assignments.Add(new SyncGroupAssignment(reader.ReadString(), reader.ReadBytes().ToArray()));
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId);
        writer.WriteInt32(GenerationId);
        writer.WriteString(MemberId);
        if (version >= 3)
        {
            writer.WriteNullableString(GroupInstanceId);
        }

        writer.WriteArrayLength(Assignments.Count);
        foreach (var assignment in Assignments)
        {
            writer.WriteString(assignment.MemberId);
            writer.WriteBytes(assignment.Assignment);
        }
    }
}

internal sealed record SyncGroupAssignment(string MemberId, byte[] Assignment);

internal sealed class SyncGroupResponse : IKafkaMessage<SyncGroupResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public byte[] Assignment { get; set; } = [];

    public static SyncGroupResponse Read(ref KafkaReader reader, short version)
    {
        var response = new SyncGroupResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        response.Assignment = reader.ReadBytes().ToArray();
        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteInt16((short)ErrorCode);
        writer.WriteBytes(Assignment);
    }
}
