namespace Weir.Broker.Protocol.Messages;

/// <summary>ListGroups (key 16) v0-2: the request has no fields in these versions.</summary>
internal sealed class ListGroupsRequest : IKafkaMessage<ListGroupsRequest>
{
    public static ListGroupsRequest Read(ref KafkaReader reader, short version) => new();

    public void Write(KafkaWriter writer, short version)
    {
    }
}

internal sealed class ListGroupsResponse : IKafkaMessage<ListGroupsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public List<ListedGroup> Groups { get; set; } = [];

    public static ListGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new ListGroupsResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            response.Groups.Add(new ListedGroup(reader.ReadString(), reader.ReadString()));
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
        writer.WriteArrayLength(Groups.Count);
        foreach (var group in Groups)
        {
            writer.WriteString(group.GroupId);
            writer.WriteString(group.ProtocolType);
        }
    }
}

internal sealed record ListedGroup(string GroupId, string ProtocolType);
