using Weir.Streams.State;

namespace Weir.Pipelines.Fingerprint;

/// <summary>A window's values in checkpoints: sensor count, then per sensor its id, value count and the values.</summary>
internal sealed class FingerprintAccumulatorSerializer : IStateSerializer<FingerprintAccumulator>
{
    public static readonly FingerprintAccumulatorSerializer Instance = new();

    public void Write(BinaryWriter writer, FingerprintAccumulator value)
    {
        writer.Write(value.SensorCount);
        for (var i = 0; i < value.SensorCount; i++)
        {
            var values = value.Values(i);
            writer.Write(value.SensorId(i));
            writer.Write(values.Length);
            foreach (var v in values)
            {
                writer.Write(v);
            }
        }
    }

    public FingerprintAccumulator Read(BinaryReader reader)
    {
        var accumulator = new FingerprintAccumulator();
        var sensors = reader.ReadInt32();
        for (var i = 0; i < sensors; i++)
        {
            var sensor = reader.ReadString();
            var count = reader.ReadInt32();
            for (var j = 0; j < count; j++)
            {
                accumulator.Add(sensor, reader.ReadDouble());
            }
        }

        return accumulator;
    }
}
