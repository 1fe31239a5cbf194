namespace Weir.Broker.Protocol;

/// <summary>
/// A request or response body that knows its own layout for every version we support, written by hand from
/// apache/kafka's message schemas (clients/src/main/resources/common/message/*.json). See Protocol/README.md.
/// </summary>
internal interface IKafkaMessage<TSelf>
    where TSelf : IKafkaMessage<TSelf>
{
    static abstract TSelf Read(ref KafkaReader reader, short version);

    void Write(KafkaWriter writer, short version);
}
