namespace Weir.Pipelines.Rtls;

/// <summary>
/// One (tag, anchor) ranging row: what the original's <c>getviaTag</c>/<c>getTagInfo</c> flat-map produced, plus
/// the event time (the packet's timestamp, or the Kafka timestamp when the packet has none), and where the packet
/// was in its topic (for the dead-letter headers; -1 when unknown).
/// </summary>
internal readonly record struct TagReading(string TagId, string AnchorId, double Distance, bool Detached, bool BatteryLow, long TimestampMs, int Partition = -1, long Offset = -1);

/// <summary>A decoded AnchorData and its position in the topic.</summary>
internal sealed record AnchorPacket(Proto.AnchorData Data, int Partition = -1, long Offset = -1);
