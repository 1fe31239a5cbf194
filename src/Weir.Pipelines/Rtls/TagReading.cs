namespace Weir.Pipelines.Rtls;

/// <summary>
/// One (tag, anchor) ranging row: what the original's <c>getviaTag</c>/<c>getTagInfo</c> flat-map produced, plus
/// the event time (the packet's timestamp, or the Kafka timestamp when the packet has none).
/// </summary>
internal readonly record struct TagReading(string TagId, string AnchorId, double Distance, bool Detached, bool BatteryLow, long TimestampMs);
