namespace Weir.Broker.Protocol.Messages;

/// <summary>Metadata (key 3) v0-8. v0: an empty topic list means all topics; v1+: null means all, empty means none.</summary>
internal sealed class MetadataRequest : IKafkaMessage<MetadataRequest>
{
    /// <summary>Null = all topics (v0 sends an empty array for that; <see cref="Read"/> maps it to null).</summary>
    public List<string>? Topics { get; set; }

    public bool AllowAutoTopicCreation { get; set; } = true;

    public bool IncludeClusterAuthorizedOperations { get; set; }

    public bool IncludeTopicAuthorizedOperations { get; set; }

    public static MetadataRequest Read(ref KafkaReader reader, short version)
    {
        var request = new MetadataRequest();
        var count = reader.ReadArrayLength();
        if (count < 0 && version == 0)
        {
            ProtocolException.Throw("Metadata v0 topics cannot be null");
        }

        if (count > 0 || (count == 0 && version >= 1))
        {
            request.Topics = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                request.Topics.Add(reader.ReadString());
            }
        }

        if (version >= 4)
        {
            request.AllowAutoTopicCreation = reader.ReadBoolean();
        }

        if (version >= 8)
        {
            request.IncludeClusterAuthorizedOperations = reader.ReadBoolean();
            request.IncludeTopicAuthorizedOperations = reader.ReadBoolean();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (Topics is null)
        {
            writer.WriteArrayLength(version == 0 ? 0 : -1);
        }
        else
        {
            writer.WriteArrayLength(Topics.Count);
            foreach (var topic in Topics)
            {
                writer.WriteString(topic);
            }
        }

        if (version >= 4)
        {
            writer.WriteBoolean(AllowAutoTopicCreation);
        }

        if (version >= 8)
        {
            writer.WriteBoolean(IncludeClusterAuthorizedOperations);
            writer.WriteBoolean(IncludeTopicAuthorizedOperations);
        }
    }
}

internal sealed class MetadataResponse : IKafkaMessage<MetadataResponse>
{
    /// <summary>"Authorized operations" when nobody asked for them (Kafka answers INT32_MIN).</summary>
    public const int OperationsNotRequested = int.MinValue;

    public int ThrottleTimeMs { get; set; }

    public List<MetadataBroker> Brokers { get; set; } = [];

    public string? ClusterId { get; set; }

    public int ControllerId { get; set; } = -1;

    public List<MetadataTopic> Topics { get; set; } = [];

    public int ClusterAuthorizedOperations { get; set; } = OperationsNotRequested;

    public static MetadataResponse Read(ref KafkaReader reader, short version)
    {
        var response = new MetadataResponse();
        if (version >= 3)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var brokers = reader.ReadNonNullArrayLength();
        for (var i = 0; i < brokers; i++)
        {
            var broker = new MetadataBroker { NodeId = reader.ReadInt32(), Host = reader.ReadString(), Port = reader.ReadInt32() };
            if (version >= 1)
            {
                broker.Rack = reader.ReadNullableString();
            }

            response.Brokers.Add(broker);
        }

        if (version >= 2)
        {
            response.ClusterId = reader.ReadNullableString();
        }

        if (version >= 1)
        {
            response.ControllerId = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new MetadataTopic { ErrorCode = (ErrorCode)reader.ReadInt16(), Name = reader.ReadString() };
            if (version >= 1)
            {
                topic.IsInternal = reader.ReadBoolean();
            }

            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new MetadataPartition
                {
                    ErrorCode = (ErrorCode)reader.ReadInt16(),
                    PartitionIndex = reader.ReadInt32(),
                    LeaderId = reader.ReadInt32(),
                };
                if (version >= 7)
                {
                    partition.LeaderEpoch = reader.ReadInt32();
                }

                partition.ReplicaNodes = ReadInt32Array(ref reader);
                partition.IsrNodes = ReadInt32Array(ref reader);
                if (version >= 5)
                {
                    partition.OfflineReplicas = ReadInt32Array(ref reader);
                }

                topic.Partitions.Add(partition);
            }

            if (version >= 8)
            {
                topic.TopicAuthorizedOperations = reader.ReadInt32();
            }

            response.Topics.Add(topic);
        }

        if (version >= 8)
        {
            response.ClusterAuthorizedOperations = reader.ReadInt32();
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 3)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        writer.WriteArrayLength(Brokers.Count);
        foreach (var broker in Brokers)
        {
            writer.WriteInt32(broker.NodeId);
            writer.WriteString(broker.Host);
            writer.WriteInt32(broker.Port);
            if (version >= 1)
            {
                writer.WriteNullableString(broker.Rack);
            }
        }

        if (version >= 2)
        {
            writer.WriteNullableString(ClusterId);
        }

        if (version >= 1)
        {
            writer.WriteInt32(ControllerId);
        }

        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteInt16((short)topic.ErrorCode);
            writer.WriteString(topic.Name);
            if (version >= 1)
            {
                writer.WriteBoolean(topic.IsInternal);
            }

            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt16((short)partition.ErrorCode);
                writer.WriteInt32(partition.PartitionIndex);
                writer.WriteInt32(partition.LeaderId);
                if (version >= 7)
                {
                    writer.WriteInt32(partition.LeaderEpoch);
                }

                WriteInt32Array(writer, partition.ReplicaNodes);
                WriteInt32Array(writer, partition.IsrNodes);
                if (version >= 5)
                {
                    WriteInt32Array(writer, partition.OfflineReplicas);
                }
            }

            if (version >= 8)
            {
                writer.WriteInt32(topic.TopicAuthorizedOperations);
            }
        }

        if (version >= 8)
        {
            writer.WriteInt32(ClusterAuthorizedOperations);
        }
    }

    internal static int[] ReadInt32Array(ref KafkaReader reader)
    {
        var count = reader.ReadNonNullArrayLength();
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadInt32();
        }

        return values;
    }

    internal static void WriteInt32Array(KafkaWriter writer, int[] values)
    {
        writer.WriteArrayLength(values.Length);
        foreach (var value in values)
        {
            writer.WriteInt32(value);
        }
    }
}

internal sealed class MetadataBroker
{
    public int NodeId { get; set; }

    public string Host { get; set; } = "";

    public int Port { get; set; }

    public string? Rack { get; set; }
}

internal sealed class MetadataTopic
{
    public ErrorCode ErrorCode { get; set; }

    public string Name { get; set; } = "";

    public bool IsInternal { get; set; }

    public List<MetadataPartition> Partitions { get; set; } = [];

    public int TopicAuthorizedOperations { get; set; } = MetadataResponse.OperationsNotRequested;
}

internal sealed class MetadataPartition
{
    public ErrorCode ErrorCode { get; set; }

    public int PartitionIndex { get; set; }

    public int LeaderId { get; set; }

    public int LeaderEpoch { get; set; } = -1;

    public int[] ReplicaNodes { get; set; } = [];

    public int[] IsrNodes { get; set; } = [];

    public int[] OfflineReplicas { get; set; } = [];
}
