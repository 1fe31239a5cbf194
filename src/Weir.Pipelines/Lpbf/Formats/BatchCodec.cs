using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Weir.Pipelines.Lpbf.Formats;

/// <summary>
/// The MessagePack map of a batch, as the Local Challenger serves it: keys <c>batch_id</c>, <c>print_id</c>,
/// <c>tile_id</c>, <c>layer</c>, <c>tif</c> in that order, the TIFF as msgpack bin. Because <c>tif</c> comes last,
/// a whole message is a small prefix followed by the TIFF file unchanged (<see cref="WritePrefix"/>), which lets
/// the emulator send tiles straight from disk.
/// </summary>
internal static class BatchCodec
{
    /// <summary>Writes everything up to and including the bin header of <c>tif</c>; the TIFF's bytes follow it.</summary>
    public static void WritePrefix(IBufferWriter<byte> output, long batchId, string printId, int tileId, int layer, int tiffLength)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(5);
        writer.Write("batch_id");
        writer.Write(batchId);
        writer.Write("print_id");
        writer.Write(printId);
        writer.Write("tile_id");
        writer.Write(tileId);
        writer.Write("layer");
        writer.Write(layer);
        writer.Write("tif");
        writer.Flush();
        WriteBinHeader(output, tiffLength);
    }

    /// <summary>
    /// The bin header alone, in its shortest form (bin 8, 16 or 32, as MessagePack's own writer picks). By hand
    /// because <see cref="MessagePackWriter.WriteBinHeader"/> asks its buffer for room for the payload as well: the
    /// emulator's small prefix buffer grew to the size of a tile, a wasted 380 KiB allocation and clear per batch.
    /// </summary>
    private static void WriteBinHeader(IBufferWriter<byte> output, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var span = output.GetSpan(5);
        int written;
        if (length <= byte.MaxValue)
        {
            span[0] = MessagePackCode.Bin8;
            span[1] = (byte)length;
            written = 2;
        }
        else if (length <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.Bin16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            written = 3;
        }
        else
        {
            span[0] = MessagePackCode.Bin32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            written = 5;
        }

        output.Advance(written);
    }

    public static byte[] Encode(long batchId, string printId, int tileId, int layer, ReadOnlySpan<byte> tiff)
    {
        var output = new ArrayBufferWriter<byte>(tiff.Length + 96);
        WritePrefix(output, batchId, printId, tileId, layer, tiff.Length);
        output.Write(tiff);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads a batch map (keys in any order, unknown keys ignored).</summary>
    /// <exception cref="InvalidDataException">Not a batch map; the message names what is wrong.</exception>
    public static Batch Decode(ReadOnlyMemory<byte> message)
    {
        try
        {
            var reader = new MessagePackReader(message);
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                throw new InvalidDataException($"a batch is a msgpack map, this message starts with {reader.NextMessagePackType}");
            }

            var count = reader.ReadMapHeader();
            long? batchId = null;
            int? tileId = null, layer = null;
            string? printId = null;
            ReadOnlyMemory<byte>? tiff = null;
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                switch (key)
                {
                    case "batch_id": batchId = reader.ReadInt64(); break;
                    case "print_id": printId = reader.ReadString(); break;
                    case "tile_id": tileId = reader.ReadInt32(); break;
                    case "layer": layer = reader.ReadInt32(); break;
                    case "tif":
                        // The bin's payload ends where the reader now stands: slice the message instead of copying.
                        var length = (int)(reader.ReadBytes() ?? throw new InvalidDataException("tif is nil")).Length;
                        tiff = message.Slice((int)reader.Consumed - length, length);
                        break;
                    default: reader.Skip(); break;
                }
            }

            return new Batch(
                batchId ?? throw Missing("batch_id"),
                printId ?? throw Missing("print_id"),
                tileId ?? throw Missing("tile_id"),
                layer ?? throw Missing("layer"),
                tiff ?? throw Missing("tif"));
        }
        catch (MessagePackSerializationException error)
        {
            throw new InvalidDataException($"not a batch map: {error.Message}", error);
        }
        catch (EndOfStreamException error)
        {
            throw new InvalidDataException("batch message is truncated", error);
        }
    }

    private static InvalidDataException Missing(string key) => new($"batch map has no '{key}'");
}
