using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Weir.Broker.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of Kafka record batches v2. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// is a raw accumulate step (the SSE4.2 / ARMv8 CRC instruction where present): seed with 0xFFFFFFFF and invert
/// at the end. Check value: CRC-32C("123456789") = 0xE3069283.
/// </summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        if (BitConverter.IsLittleEndian)
        {
            foreach (var word in words)
            {
                crc = BitOperations.Crc32C(crc, word);
            }
        }
        else
        {
            foreach (var word in words)
            {
                crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReverseEndianness(word));
            }
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
