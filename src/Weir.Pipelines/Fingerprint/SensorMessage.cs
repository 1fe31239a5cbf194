namespace Weir.Pipelines.Fingerprint;

/// <summary>One sensor value of a message ("null" readings are not represented).</summary>
internal readonly record struct SensorValue(string SensorId, double Value);

/// <summary>
/// One message from <c>sensor-data</c>: <c>{"equip_id": 110, "timestamp": 1706123456789, "data": {"0001": 45.234, ...}}</c>,
/// parsed and already unnested to the sensors that carry a value.
/// </summary>
/// <param name="EquipId">The equipment id as text (integers as written; the original's output did str(equip_id)).</param>
/// <param name="TimestampMs">The JSON timestamp (epoch ms), or null when the message has none.</param>
/// <param name="Raw">The message as it arrived (written unchanged to the late topic); windows keep only the values.</param>
internal sealed record SensorMessage(string EquipId, long? TimestampMs, SensorValue[] Values, byte[]? Raw = null);
