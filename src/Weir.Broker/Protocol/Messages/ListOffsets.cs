namespace Weir.Broker.Protocol.Messages;

/// <summary>ListOffsets (key 2) v1-5: timestamp -2 = earliest, -1 = latest, otherwise the first record at or after it.</summary>
internal sealed class ListOffsetsRequest : IKafkaMessage<ListOffsetsRequest>
{
    public const long Latest = -1;
    public const long Earliest = -2;

    public int ReplicaId { get; set; } = -1;

    public sbyte IsolationLevel { get; set; }

    public List<ListOffsetsTopic> Topics { get; set; } = [];

    public static ListOffsetsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ListOffsetsRequest { ReplicaId = reader.ReadInt32() };
        if (version >= 2)
        {
            request.IsolationLevel = reader.ReadInt8();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new ListOffsetsTopic { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new ListOffsetsPartition { PartitionIndex = reader.ReadInt32() };
                if (version >= 4)
                {
                    partition.CurrentLeaderEpoch = reader.ReadInt32();
                }

                partition.Timestamp = reader.ReadInt64();
                topic.Partitions.Add(partition);
            }

            request.Topics.Add(topic);
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt32(ReplicaId);
        if (version >= 2)
        {
            writer.WriteInt8(IsolationLevel);
        }

        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.PartitionIndex);
                if (version >= 4)
                {
                    writer.WriteInt32(partition.CurrentLeaderEpoch);
                }

                writer.WriteInt64(partition.Timestamp);
            }
        }
    }
}

internal sealed class ListOffsetsTopic
{
    public string Name { get; set; } = "";

    public List<ListOffsetsPartition> Partitions { get; set; } = [];
}

internal sealed class ListOffsetsPartition
{
    public int PartitionIndex { get; set; }

    public int CurrentLeaderEpoch { get; set; } = -1;

    public long Timestamp { get; set; }
}

internal sealed class ListOffsetsResponse : IKafkaMessage<ListOffsetsResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<ListOffsetsTopicResponse> Topics { get; set; } = [];

    public static ListOffsetsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new ListOffsetsResponse();
        if (version >= 2)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new ListOffsetsTopicResponse { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new ListOffsetsPartitionResponse
                {
                    PartitionIndex = reader.ReadInt32(),
                    ErrorCode = (ErrorCode)reader.ReadInt16(),
                    Timestamp = reader.ReadInt64(),
                    Offset = reader.ReadInt64(),
                };
                if (version >= 4)
                {
                    partition.LeaderEpoch = reader.ReadInt32();
                }

                topic.Partitions.Add(partition);
            }

            response.Topics.Add(topic);
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
            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.PartitionIndex);
                writer.WriteInt16((short)partition.ErrorCode);
                writer.WriteInt64(partition.Timestamp);
                writer.WriteInt64(partition.Offset);
                if (version >= 4)
                {
                    writer.WriteInt32(partition.LeaderEpoch);
                }
            }
        }
    }
}

internal sealed class ListOffsetsTopicResponse
{
    public string Name { get; set; } = "";

    public List<ListOffsetsPartitionResponse> Partitions { get; set; } = [];
}

internal sealed class ListOffsetsPartitionResponse
{
    public int PartitionIndex { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public long Timestamp { get; set; } = -1;

    public long Offset { get; set; } = -1;

    public int LeaderEpoch { get; set; } = -1;
}
