namespace Weir.Broker.Protocol.Messages;

/// <summary>OffsetCommit (key 8) v2-7.</summary>
internal sealed class OffsetCommitRequest : IKafkaMessage<OffsetCommitRequest>
{
    public string GroupId { get; set; } = "";

    public int GenerationId { get; set; } = -1;

    public string MemberId { get; set; } = "";

    public string? GroupInstanceId { get; set; }

    public long RetentionTimeMs { get; set; } = -1;

    public List<OffsetCommitTopic> Topics { get; set; } = [];

    public static OffsetCommitRequest Read(ref KafkaReader reader, short version)
    {
        var request = new OffsetCommitRequest { GroupId = reader.ReadString(), GenerationId = reader.ReadInt32(), MemberId = reader.ReadString() };
        if (version >= 7)
        {
            request.GroupInstanceId = reader.ReadNullableString();
        }

        if (version <= 4)
        {
            request.RetentionTimeMs = reader.ReadInt64();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new OffsetCommitTopic { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var index = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var epoch = version >= 6 ? reader.ReadInt32() : -1;
                topic.Partitions.Add(new OffsetCommitPartition(index, offset, epoch, reader.ReadNullableString()));
            }

            request.Topics.Add(topic);
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId);
        writer.WriteInt32(GenerationId);
        writer.WriteString(MemberId);
        if (version >= 7)
        {
            writer.WriteNullableString(GroupInstanceId);
        }

        if (version <= 4)
        {
            writer.WriteInt64(RetentionTimeMs);
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
                if (version >= 6)
                {
                    writer.WriteInt32(partition.CommittedLeaderEpoch);
                }

                writer.WriteNullableString(partition.CommittedMetadata);
            }
        }
    }
}

internal sealed class OffsetCommitTopic
{
    public string Name { get; set; } = "";

    public List<OffsetCommitPartition> Partitions { get; set; } = [];
}

internal sealed record OffsetCommitPartition(int PartitionIndex, long CommittedOffset, int CommittedLeaderEpoch, string? CommittedMetadata);

internal sealed class OffsetCommitResponse : IKafkaMessage<OffsetCommitResponse>
{
    public int ThrottleTimeMs { get; set; }

    public List<OffsetCommitTopicResult> Topics { get; set; } = [];

    public static OffsetCommitResponse Read(ref KafkaReader reader, short version)
    {
        var response = new OffsetCommitResponse();
        if (version >= 3)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new OffsetCommitTopicResult { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                topic.Partitions.Add(new OffsetCommitPartitionResult(reader.ReadInt32(), (ErrorCode)reader.ReadInt16()));
            }

            response.Topics.Add(topic);
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
                writer.WriteInt16((short)partition.ErrorCode);
            }
        }
    }
}

internal sealed class OffsetCommitTopicResult
{
    public string Name { get; set; } = "";

    public List<OffsetCommitPartitionResult> Partitions { get; set; } = [];
}

internal sealed record OffsetCommitPartitionResult(int PartitionIndex, ErrorCode ErrorCode);
