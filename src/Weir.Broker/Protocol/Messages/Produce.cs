namespace Weir.Broker.Protocol.Messages;

/// <summary>Produce (key 0) v0-8. Records are slices of the request buffer, so the batches are never copied.</summary>
internal sealed class ProduceRequest : IKafkaMessage<ProduceRequest>
{
    public string? TransactionalId { get; set; }

    public short Acks { get; set; }

    public int TimeoutMs { get; set; }

    public List<ProduceTopicData> Topics { get; set; } = [];

    public static ProduceRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ProduceRequest();
        if (version >= 3)
        {
            request.TransactionalId = reader.ReadNullableString();
        }

        request.Acks = reader.ReadInt16();
        request.TimeoutMs = reader.ReadInt32();
        var topics = reader.ReadNonNullArrayLength();
        request.Topics.Capacity = topics;
        for (var i = 0; i < topics; i++)
        {
            var topic = new ProduceTopicData { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            topic.Partitions.Capacity = partitions;
            for (var j = 0; j < partitions; j++)
            {
                topic.Partitions.Add(new ProducePartitionData { Index = reader.ReadInt32(), Records = reader.ReadNullableBytes() });
            }

            request.Topics.Add(topic);
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 3)
        {
            writer.WriteNullableString(TransactionalId);
        }

        writer.WriteInt16(Acks);
        writer.WriteInt32(TimeoutMs);
        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.Index);
                writer.WriteNullableBytes(partition.Records);
            }
        }
    }
}

internal sealed class ProduceTopicData
{
    public string Name { get; set; } = "";

    public List<ProducePartitionData> Partitions { get; set; } = [];
}

internal sealed class ProducePartitionData
{
    public int Index { get; set; }

    public Memory<byte>? Records { get; set; }
}

internal sealed class ProduceResponse : IKafkaMessage<ProduceResponse>
{
    public List<ProduceTopicResponse> Topics { get; set; } = [];

    public int ThrottleTimeMs { get; set; }

    public static ProduceResponse Read(ref KafkaReader reader, short version)
    {
        var response = new ProduceResponse();
        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new ProduceTopicResponse { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new ProducePartitionResponse
                {
                    Index = reader.ReadInt32(),
                    ErrorCode = (ErrorCode)reader.ReadInt16(),
                    BaseOffset = reader.ReadInt64(),
                };
                if (version >= 2)
                {
                    partition.LogAppendTimeMs = reader.ReadInt64();
                }

                if (version >= 5)
                {
                    partition.LogStartOffset = reader.ReadInt64();
                }

                if (version >= 8)
                {
                    var errors = reader.ReadNonNullArrayLength();
                    for (var k = 0; k < errors; k++)
                    {
                        partition.RecordErrors.Add(new ProduceRecordError(reader.ReadInt32(), reader.ReadNullableString()));
                    }

                    partition.ErrorMessage = reader.ReadNullableString();
                }

                topic.Partitions.Add(partition);
            }

            response.Topics.Add(topic);
        }

        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.Index);
                writer.WriteInt16((short)partition.ErrorCode);
                writer.WriteInt64(partition.BaseOffset);
                if (version >= 2)
                {
                    writer.WriteInt64(partition.LogAppendTimeMs);
                }

                if (version >= 5)
                {
                    writer.WriteInt64(partition.LogStartOffset);
                }

                if (version >= 8)
                {
                    writer.WriteArrayLength(partition.RecordErrors.Count);
                    foreach (var error in partition.RecordErrors)
                    {
                        writer.WriteInt32(error.BatchIndex);
                        writer.WriteNullableString(error.Message);
                    }

                    writer.WriteNullableString(partition.ErrorMessage);
                }
            }
        }

        // ThrottleTimeMs comes last in Produce, unlike most responses (ProduceResponse.json).
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }
    }
}

internal sealed class ProduceTopicResponse
{
    public string Name { get; set; } = "";

    public List<ProducePartitionResponse> Partitions { get; set; } = [];
}

internal sealed class ProducePartitionResponse
{
    public int Index { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public long BaseOffset { get; set; } = -1;

    /// <summary>-1 unless the topic uses LogAppendTime.</summary>
    public long LogAppendTimeMs { get; set; } = -1;

    public long LogStartOffset { get; set; } = -1;

    public List<ProduceRecordError> RecordErrors { get; set; } = [];

    public string? ErrorMessage { get; set; }
}

internal readonly record struct ProduceRecordError(int BatchIndex, string? Message);
