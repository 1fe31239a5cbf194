namespace Weir.Broker.Protocol.Messages;

/// <summary>OffsetFetch (key 9) v1-5. From v2, null topics means every committed partition of the group.</summary>
internal sealed class OffsetFetchRequest : IKafkaMessage<OffsetFetchRequest>
{
    public string GroupId { get; set; } = "";

    /// <summary>Null = all partitions with a committed offset (v2+).</summary>
    public List<OffsetFetchTopic>? Topics { get; set; }

    public static OffsetFetchRequest Read(ref KafkaReader reader, short version)
    {
        var request = new OffsetFetchRequest { GroupId = reader.ReadString() };
        var topics = reader.ReadArrayLength();
        if (topics < 0 && version < 2)
        {
            ProtocolException.Throw("OffsetFetch v0-1 topics cannot be null");
        }

        if (topics >= 0)
        {
            request.Topics = new List<OffsetFetchTopic>(topics);
            for (var i = 0; i < topics; i++)
            {
                request.Topics.Add(new OffsetFetchTopic(reader.ReadString(), MetadataResponse.ReadInt32Array(ref reader)));
            }
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId);
        if (Topics is null)
        {
            writer.WriteArrayLength(-1);
            return;
        }

        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            MetadataResponse.WriteInt32Array(writer, topic.PartitionIndexes);
        }
    }
}

internal sealed record OffsetFetchTopic(string Name, int[] PartitionIndexes);

internal sealed class OffsetFetchResponse : IKafkaMessage<OffsetFetchResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<OffsetFetchTopicResult> Topics { get; set; } = [];

    /// <summary>Top-level error (v2+), written last.</summary>
    public ErrorCode ErrorCode { get; set; }

    public static OffsetFetchResponse Read(ref KafkaReader reader, short version)
    {
        var response = new OffsetFetchResponse();
        if (version >= 3)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new OffsetFetchTopicResult { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var index = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var epoch = version >= 5 ? reader.ReadInt32() : -1;
                topic.Partitions.Add(new OffsetFetchPartitionResult(index, offset, epoch, reader.ReadNullableString(), (ErrorCode)reader.ReadInt16()));
            }

            response.Topics.Add(topic);
        }

        if (version >= 2)
        {
            response.ErrorCode = (ErrorCode)reader.ReadInt16();
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 3)
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
                writer.WriteInt64(partition.CommittedOffset);
                if (version >= 5)
                {
                    writer.WriteInt32(partition.CommittedLeaderEpoch);
                }

                writer.WriteNullableString(partition.Metadata);
                writer.WriteInt16((short)partition.ErrorCode);
            }
        }

        if (version >= 2)
        {
            writer.WriteInt16((short)ErrorCode);
        }
    }
}

internal sealed class OffsetFetchTopicResult
{
    public string Name { get; set; } = "";

    public List<OffsetFetchPartitionResult> Partitions { get; set; } = [];
}

internal sealed record OffsetFetchPartitionResult(int PartitionIndex, long CommittedOffset, int CommittedLeaderEpoch, string? Metadata, ErrorCode ErrorCode);
