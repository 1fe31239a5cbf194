namespace Weir.Broker.Protocol.Messages;

/// <summary>DeleteGroups (key 42) v0-1: removes empty groups and their committed offsets.</summary>
internal sealed class DeleteGroupsRequest : IKafkaMessage<DeleteGroupsRequest>
{
    public List<string> GroupsNames { get; set; } = [];

    public static DeleteGroupsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DeleteGroupsRequest();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.GroupsNames.Add(reader.ReadString());
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(GroupsNames.Count);
        foreach (var name in GroupsNames)
        {
            writer.WriteString(name);
        }
    }
}

internal sealed class DeleteGroupsResponse : IKafkaMessage<DeleteGroupsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<DeletableGroupResult> Results { get; set; } = [];

    public static DeleteGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DeleteGroupsResponse { ThrottleTimeMs = reader.ReadInt32() };
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            response.Results.Add(new DeletableGroupResult(reader.ReadString(), (ErrorCode)reader.ReadInt16()));
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArrayLength(Results.Count);
        foreach (var result in Results)
        {
            writer.WriteString(result.GroupId);
            writer.WriteInt16((short)result.ErrorCode);
        }
    }
}

internal sealed record DeletableGroupResult(string GroupId, ErrorCode ErrorCode);
