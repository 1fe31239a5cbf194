using Weir.Streams.State;

namespace Weir.Pipelines.Rtls;

/// <summary>An open tag window in checkpoints: its capacity, then each reading.</summary>
internal sealed class TagWindowSerializer(int size) : IStateSerializer<TagWindow>
{
    public void Write(BinaryWriter writer, TagWindow value)
    {
        writer.Write(value.Count);
        foreach (var r in value.Readings)
        {
            writer.Write(r.TagId);
            writer.Write(r.AnchorId);
            writer.Write(r.Distance);
            writer.Write(r.Detached);
            writer.Write(r.BatteryLow);
            writer.Write(r.TimestampMs);
            writer.Write(r.Partition);
            writer.Write(r.Offset);
        }
    }

    public TagWindow Read(BinaryReader reader)
    {
        var window = new TagWindow(size);
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            window.Add(new TagReading(reader.ReadString(), reader.ReadString(), reader.ReadDouble(), reader.ReadBoolean(), reader.ReadBoolean(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64()));
        }

        return window;
    }
}

/// <summary>An anchor's liveness in checkpoints.</summary>
internal sealed class AnchorLivenessSerializer : IStateSerializer<AnchorLivenessState>
{
    public static readonly AnchorLivenessSerializer Instance = new();

    public void Write(BinaryWriter writer, AnchorLivenessState value)
    {
        writer.Write(value.LastSeenMs);
        writer.Write(value.Dead);
    }

    public AnchorLivenessState Read(BinaryReader reader) => new() { LastSeenMs = reader.ReadInt64(), Dead = reader.ReadBoolean() };
}
