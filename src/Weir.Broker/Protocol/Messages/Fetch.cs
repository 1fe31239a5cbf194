namespace Weir.Broker.Protocol.Messages;

/// <summary>Fetch (key 1) v4-11 (v4 is the first version whose records are record batches v2).</summary>
internal sealed class FetchRequest : IKafkaMessage<FetchRequest>
{
    public int ReplicaId { get; set; } = -1;

    public int MaxWaitMs { get; set; }

    public int MinBytes { get; set; }

    public int MaxBytes { get; set; } = int.MaxValue;

    public sbyte IsolationLevel { get; set; }

    public int SessionId { get; set; }

    public int SessionEpoch { get; set; } = -1;

    public List<FetchTopic> Topics { get; set; } = [];

    public List<FetchForgottenTopic> ForgottenTopics { get; set; } = [];

    public string RackId { get; set; } = "";

    public static FetchRequest Read(ref KafkaReader reader, short version)
    {
        var request = new FetchRequest
        {
            ReplicaId = reader.ReadInt32(),
            MaxWaitMs = reader.ReadInt32(),
            MinBytes = reader.ReadInt32(),
        };
        if (version >= 3)
        {
            request.MaxBytes = reader.ReadInt32();
        }

        if (version >= 4)
        {
            request.IsolationLevel = reader.ReadInt8();
        }

        if (version >= 7)
        {
            request.SessionId = reader.ReadInt32();
            request.SessionEpoch = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new FetchTopic { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new FetchPartition { Partition = reader.ReadInt32() };
                if (version >= 9)
                {
                    partition.CurrentLeaderEpoch = reader.ReadInt32();
                }

                partition.FetchOffset = reader.ReadInt64();
                if (version >= 5)
                {
                    partition.LogStartOffset = reader.ReadInt64();
                }

                partition.PartitionMaxBytes = reader.ReadInt32();
                topic.Partitions.Add(partition);
            }

            request.Topics.Add(topic);
        }

        if (version >= 7)
        {
            var forgotten = reader.ReadNonNullArrayLength();
            for (var i = 0; i < forgotten; i++)
            {
                request.ForgottenTopics.Add(new FetchForgottenTopic(reader.ReadString(), MetadataResponse.ReadInt32Array(ref reader)));
            }
        }

        if (version >= 11)
        {
            request.RackId = reader.ReadString();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt32(ReplicaId);
        writer.WriteInt32(MaxWaitMs);
        writer.WriteInt32(MinBytes);
        if (version >= 3)
        {
            writer.WriteInt32(MaxBytes);
        }

        if (version >= 4)
        {
            writer.WriteInt8(IsolationLevel);
        }

        if (version >= 7)
        {
            writer.WriteInt32(SessionId);
            writer.WriteInt32(SessionEpoch);
        }

        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
        {
            writer.WriteString(topic.Name);
            writer.WriteArrayLength(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                writer.WriteInt32(partition.Partition);
                if (version >= 9)
                {
                    writer.WriteInt32(partition.CurrentLeaderEpoch);
                }

                writer.WriteInt64(partition.FetchOffset);
                if (version >= 5)
                {
                    writer.WriteInt64(partition.LogStartOffset);
                }

                writer.WriteInt32(partition.PartitionMaxBytes);
            }
        }

        if (version >= 7)
        {
            writer.WriteArrayLength(ForgottenTopics.Count);
            foreach (var forgotten in ForgottenTopics)
            {
                writer.WriteString(forgotten.Topic);
                MetadataResponse.WriteInt32Array(writer, forgotten.Partitions);
            }
        }

        if (version >= 11)
        {
            writer.WriteString(RackId);
        }
    }
}

internal sealed class FetchTopic
{
    public string Name { get; set; } = "";

    public List<FetchPartition> Partitions { get; set; } = [];
}

internal sealed class FetchPartition
{
    public int Partition { get; set; }

    public int CurrentLeaderEpoch { get; set; } = -1;

    public long FetchOffset { get; set; }

    public long LogStartOffset { get; set; } = -1;

    public int PartitionMaxBytes { get; set; }
}

internal sealed record FetchForgottenTopic(string Topic, int[] Partitions);

/// <summary>
/// Writes a partition's records field (int32 length + bytes) straight into the response, so log data is read
/// from the segment file into the response buffer once, without an intermediate copy.
/// </summary>
internal interface IFetchRecordsSource
{
    void WriteRecords(KafkaWriter writer);
}

internal sealed class FetchResponse : IKafkaMessage<FetchResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public int SessionId { get; set; }

    public List<FetchTopicResponse> Topics { get; set; } = [];

    public static FetchResponse Read(ref KafkaReader reader, short version)
    {
        var response = new FetchResponse();
        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        if (version >= 7)
        {
            response.ErrorCode = (ErrorCode)reader.ReadInt16();
            response.SessionId = reader.ReadInt32();
        }

        var topics = reader.ReadNonNullArrayLength();
        for (var i = 0; i < topics; i++)
        {
            var topic = new FetchTopicResponse { Name = reader.ReadString() };
            var partitions = reader.ReadNonNullArrayLength();
            for (var j = 0; j < partitions; j++)
            {
                var partition = new FetchPartitionResponse
                {
                    PartitionIndex = reader.ReadInt32(),
                    ErrorCode = (ErrorCode)reader.ReadInt16(),
                    HighWatermark = reader.ReadInt64(),
                };
                if (version >= 4)
                {
                    partition.LastStableOffset = reader.ReadInt64();
                }

                if (version >= 5)
                {
                    partition.LogStartOffset = reader.ReadInt64();
                }

                if (version >= 4)
                {
                    var aborted = reader.ReadArrayLength();
                    if (aborted >= 0)
                    {
                        partition.AbortedTransactions = [];
                        for (var k = 0; k < aborted; k++)
                        {
                            partition.AbortedTransactions.Add(new FetchAbortedTransaction(reader.ReadInt64(), reader.ReadInt64()));
                        }
                    }
                }

                if (version >= 11)
                {
                    partition.PreferredReadReplica = reader.ReadInt32();
                }

                partition.Records = reader.ReadNullableBytes();
                topic.Partitions.Add(partition);
            }

            response.Topics.Add(topic);
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        if (version >= 7)
        {
            writer.WriteInt16((short)ErrorCode);
            writer.WriteInt32(SessionId);
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
                writer.WriteInt64(partition.HighWatermark);
                if (version >= 4)
                {
                    writer.WriteInt64(partition.LastStableOffset);
                }

                if (version >= 5)
                {
                    writer.WriteInt64(partition.LogStartOffset);
                }

                if (version >= 4)
                {
                    if (partition.AbortedTransactions is null)
                    {
                        writer.WriteArrayLength(-1);
                    }
                    else
                    {
                        writer.WriteArrayLength(partition.AbortedTransactions.Count);
                        foreach (var aborted in partition.AbortedTransactions)
                        {
                            writer.WriteInt64(aborted.ProducerId);
                            writer.WriteInt64(aborted.FirstOffset);
                        }
                    }
                }

                if (version >= 11)
                {
                    writer.WriteInt32(partition.PreferredReadReplica);
                }

                if (partition.RecordsSource is { } source)
                {
                    source.WriteRecords(writer);
                }
                else
                {
                    // Never null: kafka-python 2.0.2 crashes on null records (research note P8).
                    writer.WriteBytes((partition.Records ?? ReadOnlyMemory<byte>.Empty).Span);
                }
            }
        }
    }
}

internal sealed class FetchTopicResponse
{
    public string Name { get; set; } = "";

    public List<FetchPartitionResponse> Partitions { get; set; } = [];
}

internal sealed class FetchPartitionResponse
{
    public int PartitionIndex { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public long HighWatermark { get; set; } = -1;

    public long LastStableOffset { get; set; } = -1;

    public long LogStartOffset { get; set; } = -1;

    public List<FetchAbortedTransaction>? AbortedTransactions { get; set; }

    /// <summary>Must stay -1: librdkafka skips the records and redirects when it is anything else (research note P7).</summary>
    public int PreferredReadReplica { get; set; } = -1;

    public ReadOnlyMemory<byte>? Records { get; set; }

    /// <summary>When set, writes the records field instead of <see cref="Records"/>.</summary>
    public IFetchRecordsSource? RecordsSource { get; set; }
}

internal readonly record struct FetchAbortedTransaction(long ProducerId, long FirstOffset);
