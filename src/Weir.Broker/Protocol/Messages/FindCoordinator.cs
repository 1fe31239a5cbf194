namespace Weir.Broker.Protocol.Messages;

/// <summary>FindCoordinator (key 10) v0-2: this node coordinates every group.</summary>
internal sealed class FindCoordinatorRequest : IKafkaMessage<FindCoordinatorRequest>
{
    public const sbyte GroupKey = 0;

    public string Key { get; set; } = "";

    public sbyte KeyType { get; set; }

    public static FindCoordinatorRequest Read(ref KafkaReader reader, short version)
    {
        var request = new FindCoordinatorRequest { Key = reader.ReadString() };
        if (version >= 1)
        {
            request.KeyType = reader.ReadInt8();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(Key);
        if (version >= 1)
        {
            writer.WriteInt8(KeyType);
        }
    }
}

internal sealed class FindCoordinatorResponse : IKafkaMessage<FindCoordinatorResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public int NodeId { get; set; }

    public string Host { get; set; } = "";

    public int Port { get; set; }

    public static FindCoordinatorResponse Read(ref KafkaReader reader, short version)
    {
        var response = new FindCoordinatorResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 1)
        {
            response.ErrorMessage = reader.ReadNullableString();
        }

        response.NodeId = reader.ReadInt32();
        response.Host = reader.ReadString();
        response.Port = reader.ReadInt32();
        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteInt16((short)ErrorCode);
        if (version >= 1)
        {
            writer.WriteNullableString(ErrorMessage);
        }

        writer.WriteInt32(NodeId);
        writer.WriteString(Host);
        writer.WriteInt32(Port);
    }
}
