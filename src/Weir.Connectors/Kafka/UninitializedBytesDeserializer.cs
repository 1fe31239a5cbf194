using Confluent.Kafka;

namespace Weir.Connectors.Kafka;

/// <summary>
/// Record values as byte arrays, like Confluent.Kafka's own, but without zeroing each array before the copy
/// overwrites it: values of a few hundred KiB (LPBF tiles) otherwise pay for a pass over memory that is
/// written again at once.
/// </summary>
internal sealed class UninitializedBytesDeserializer : IDeserializer<byte[]>
{
    public static readonly UninitializedBytesDeserializer Instance = new();

    public byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!; // Confluent.Kafka's contract for a null value, which the reader passes on as null
        }

        var bytes = GC.AllocateUninitializedArray<byte>(data.Length);
        data.CopyTo(bytes);
        return bytes;
    }
}
