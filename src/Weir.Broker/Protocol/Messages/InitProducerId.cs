namespace Weir.Broker.Protocol.Messages;

/// <summary>InitProducerId (key 22) v0-1: a fresh producer id for an idempotent (non-transactional) producer.</summary>
internal sealed class InitProducerIdRequest : IKafkaMessage<InitProducerIdRequest>
{
    public string? TransactionalId { get; set; }

    public int TransactionTimeoutMs { get; set; }

    public static InitProducerIdRequest Read(ref KafkaReader reader, short version) =>
        new() { TransactionalId = reader.ReadNullableString(), TransactionTimeoutMs = reader.ReadInt32() };

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteNullableString(TransactionalId);
        writer.WriteInt32(TransactionTimeoutMs);
    }
}

internal sealed class InitProducerIdResponse : IKafkaMessage<InitProducerIdResponse>
{
    public int ThrottleTimeMs { get; set; }

    public ErrorCode ErrorCode { get; set; }

    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; }

    public static InitProducerIdResponse Read(ref KafkaReader reader, short version) => new()
    {
        ThrottleTimeMs = reader.ReadInt32(),
        ErrorCode = (ErrorCode)reader.ReadInt16(),
        ProducerId = reader.ReadInt64(),
        ProducerEpoch = reader.ReadInt16(),
    };

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
    }
}
