namespace Weir.Broker.Protocol.Messages;

/// <summary>DeleteTopics (key 20) v0-3.</summary>
internal sealed class DeleteTopicsRequest : IKafkaMessage<DeleteTopicsRequest>
{
    public List<string> TopicNames { get; set; } = [];

    public int TimeoutMs { get; set; }

    public static DeleteTopicsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DeleteTopicsRequest();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            request.TopicNames.Add(reader.ReadString());
        }

        request.TimeoutMs = reader.ReadInt32();
        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(TopicNames.Count);
        foreach (var name in TopicNames)
        {
            writer.WriteString(name);
        }

        writer.WriteInt32(TimeoutMs);
    }
}

internal sealed class DeleteTopicsResponse : IKafkaMessage<DeleteTopicsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<DeletableTopicResult> Responses { get; set; } = [];

    public static DeleteTopicsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DeleteTopicsResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            response.Responses.Add(new DeletableTopicResult(reader.ReadString(), (ErrorCode)reader.ReadInt16()));
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteArrayLength(Responses.Count);
        foreach (var result in Responses)
        {
            writer.WriteString(result.Name);
            writer.WriteInt16((short)result.ErrorCode);
        }
    }
}

internal sealed record DeletableTopicResult(string Name, ErrorCode ErrorCode);
