using System.Text.Json;

namespace Weir.Streams.State;

/// <summary>
/// Writes and reads state values in checkpoints. Implement it for a compact or versioned format; the default
/// (<see cref="StateSerializers.Default{T}"/>) covers primitives directly and everything else as JSON.
/// </summary>
public interface IStateSerializer<T>
{
    void Write(BinaryWriter writer, T value);

    T Read(BinaryReader reader);
}

/// <summary>Serializers for state and checkpoints.</summary>
public static class StateSerializers
{
    private static readonly JsonSerializerOptions JsonDefaults = new() { IncludeFields = true };

    /// <summary>
    /// Binary for primitives, strings, byte arrays, Guid, DateTime(Offset), TimeSpan and decimal; JSON
    /// (System.Text.Json, public properties and fields) for everything else: records, classes, structs, lists.
    /// </summary>
    public static IStateSerializer<T> Default<T>() => DefaultSerializer<T>.Instance;

    /// <summary>JSON with the given options (for types that need converters).</summary>
    public static IStateSerializer<T> Json<T>(JsonSerializerOptions? options = null) => new JsonStateSerializer<T>(options ?? JsonDefaults);

    private static class DefaultSerializer<T>
    {
        public static readonly IStateSerializer<T> Instance = Create();

        private static IStateSerializer<T> Create()
        {
            object? primitive = typeof(T) switch
            {
                var t when t == typeof(int) => new Primitive<int>((w, v) => w.Write(v), r => r.ReadInt32()),
                var t when t == typeof(long) => new Primitive<long>((w, v) => w.Write(v), r => r.ReadInt64()),
                var t when t == typeof(double) => new Primitive<double>((w, v) => w.Write(v), r => r.ReadDouble()),
                var t when t == typeof(float) => new Primitive<float>((w, v) => w.Write(v), r => r.ReadSingle()),
                var t when t == typeof(bool) => new Primitive<bool>((w, v) => w.Write(v), r => r.ReadBoolean()),
                var t when t == typeof(short) => new Primitive<short>((w, v) => w.Write(v), r => r.ReadInt16()),
                var t when t == typeof(byte) => new Primitive<byte>((w, v) => w.Write(v), r => r.ReadByte()),
                var t when t == typeof(decimal) => new Primitive<decimal>((w, v) => w.Write(v), r => r.ReadDecimal()),
                var t when t == typeof(Guid) => new Primitive<Guid>((w, v) => w.Write(v.ToByteArray()), r => new Guid(r.ReadBytes(16))),
                var t when t == typeof(TimeSpan) => new Primitive<TimeSpan>((w, v) => w.Write(v.Ticks), r => new TimeSpan(r.ReadInt64())),
                var t when t == typeof(DateTime) => new Primitive<DateTime>((w, v) => w.Write(v.ToBinary()), r => DateTime.FromBinary(r.ReadInt64())),
                var t when t == typeof(DateTimeOffset) => new Primitive<DateTimeOffset>(
                    (w, v) => { w.Write(v.UtcTicks); w.Write((short)v.Offset.TotalMinutes); },
                    r => new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(r.ReadInt16()))),
                var t when t == typeof(string) => new Primitive<string?>(
                    (w, v) => { w.Write(v is not null); if (v is not null) { w.Write(v); } },
                    r => r.ReadBoolean() ? r.ReadString() : null),
                var t when t == typeof(byte[]) => new Primitive<byte[]?>(
                    (w, v) => { w.Write(v?.Length ?? -1); if (v is not null) { w.Write(v); } },
                    r => r.ReadInt32() is var n and >= 0 ? r.ReadBytes(n) : null),
                _ => null,
            };
            return primitive as IStateSerializer<T> ?? new JsonStateSerializer<T>(JsonDefaults);
        }
    }

    private sealed class Primitive<T>(Action<BinaryWriter, T> write, Func<BinaryReader, T> read) : IStateSerializer<T>
    {
        public void Write(BinaryWriter writer, T value) => write(writer, value);

        public T Read(BinaryReader reader) => read(reader);
    }

    private sealed class JsonStateSerializer<T>(JsonSerializerOptions options) : IStateSerializer<T>
    {
        public void Write(BinaryWriter writer, T value)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, options);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        public T Read(BinaryReader reader)
        {
            var length = reader.ReadInt32();
            return JsonSerializer.Deserialize<T>(reader.ReadBytes(length), options)!;
        }
    }
}
