namespace Weir.Broker.Protocol.Messages;

/// <summary>Heartbeat (key 12) v0-3.</summary>
internal sealed class HeartbeatRequest : IKafkaMessage<HeartbeatRequest>
{
    public string GroupId { get; set; } = "";

    public int GenerationId { get; set; }

    public string MemberId { get; set; } = "";

    public string? GroupInstanceId { get; set; }

    public static HeartbeatRequest Read(ref KafkaReader reader, short version)
    {
        var request = new HeartbeatRequest { GroupId = reader.ReadString(), GenerationId = reader.ReadInt32(), MemberId = reader.ReadString() };
        if (version >= 3)
        {
            request.GroupInstanceId = reader.ReadNullableString();
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
    }
}

/// <summary>The response of Heartbeat (and of every group API whose answer is only an error code).</summary>
internal sealed class HeartbeatResponse : IKafkaMessage<HeartbeatResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public static HeartbeatResponse Read(ref KafkaReader reader, short version)
    {
        var response = new HeartbeatResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteInt16((short)ErrorCode);
    }
}
