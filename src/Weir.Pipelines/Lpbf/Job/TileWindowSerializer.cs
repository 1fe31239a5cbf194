using System.Runtime.InteropServices;
using Weir.Streams.State;
using Weir.Pipelines.Lpbf.Kernels;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>Checkpoints a key's window as its tiles' raw pixels (a 500 × 500 tile is 500 KB).</summary>
internal sealed class TileWindowSerializer(TilePool pool) : IStateSerializer<TileWindow>
{
    public void Write(BinaryWriter writer, TileWindow value)
    {
        writer.Write(value.Count);
        for (var i = 0; i < value.Count; i++)
        {
            var tile = value[i];
            writer.Write(tile.Rows);
            writer.Write(tile.Cols);
            for (var r = 0; r < tile.Rows; r++)
            {
                writer.Write(MemoryMarshal.AsBytes(tile.Row(r)));
            }
        }
    }

    public TileWindow Read(BinaryReader reader)
    {
        var window = new TileWindow();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var tile = pool.Rent();
            tile.Reset(reader.ReadInt32(), reader.ReadInt32());
            for (var r = 0; r < tile.Rows; r++)
            {
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(tile.Row(r)));
            }

            window.Push(tile, pool);
        }

        return window;
    }
}
