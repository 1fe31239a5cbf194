namespace Weir.Broker.Protocol.Messages;

/// <summary>CreateTopics (key 19) v0-4. Partitions and replication factor -1 mean "broker default" on every version.</summary>
internal sealed class CreateTopicsRequest : IKafkaMessage<CreateTopicsRequest>
{
    public List<CreatableTopic> Topics { get; set; } = [];

    public int TimeoutMs { get; set; } = 60000;

    public bool ValidateOnly { get; set; }

    public static CreateTopicsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new CreateTopicsRequest();
        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new CreatableTopic
            {
                Name = reader.ReadString(),
                NumPartitions = reader.ReadInt32(),
                ReplicationFactor = reader.ReadInt16(),
            };
            var assignments = reader.ReadNonNullArrayLength();
            for (var j = 0; j < assignments; j++)
            {
                topic.Assignments.Add(new CreatableReplicaAssignment(reader.ReadInt32(), MetadataResponse.ReadInt32Array(ref reader)));
            }

            var configs = reader.ReadNonNullArrayLength();
            for (var j = 0; j < configs; j++)
            {
                topic.Configs.Add(new CreatableTopicConfig(reader.ReadString(), reader.ReadNullableString()));
            }

            request.Topics.Add(topic);
        }

        request.TimeoutMs = reader.ReadInt32();
        if (version >= 1)
        {
            request.ValidateOnly = reader.ReadBoolean();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteInt32(topic.NumPartitions);
            writer.WriteInt16(topic.ReplicationFactor);
            writer.WriteArrayLength(topic.Assignments.Count);
            foreach (var assignment in topic.Assignments)
            {
                writer.WriteInt32(assignment.PartitionIndex);
                MetadataResponse.WriteInt32Array(writer, assignment.BrokerIds);
            }

            writer.WriteArrayLength(topic.Configs.Count);
            foreach (var config in topic.Configs)
            {
                writer.WriteString(config.Name);
                writer.WriteNullableString(config.Value);
            }
        }

        writer.WriteInt32(TimeoutMs);
        if (version >= 1)
        {
            writer.WriteBoolean(ValidateOnly);
        }
    }
}

internal sealed class CreatableTopic
{
    public string Name { get; set; } = "";

    public int NumPartitions { get; set; } = -1;

    public short ReplicationFactor { get; set; } = -1;

    public List<CreatableReplicaAssignment> Assignments { get; set; } = [];

    public List<CreatableTopicConfig> Configs { get; set; } = [];
}

internal sealed record CreatableReplicaAssignment(int PartitionIndex, int[] BrokerIds);

internal sealed record CreatableTopicConfig(string Name, string? Value);

internal sealed class CreateTopicsResponse : IKafkaMessage<CreateTopicsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<CreatableTopicResult> Topics { get; set; } = [];

    public static CreateTopicsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new CreateTopicsResponse();
        if (version >= 2)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var result = new CreatableTopicResult { Name = reader.ReadString(), ErrorCode = (ErrorCode)reader.ReadInt16() };
            if (version >= 1)
            {
                result.ErrorMessage = reader.ReadNullableString();
            }

            response.Topics.Add(result);
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 2)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteInt16((short)topic.ErrorCode);
            if (version >= 1)
            {
                writer.WriteNullableString(topic.ErrorMessage);
            }
        }
    }
}

internal sealed class CreatableTopicResult
{
    public string Name { get; set; } = "";

    public ErrorCode ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }
}
