using System.Buffers.Text;
using System.Buffers;
using System.Text;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// The original generator's messages: per tick, one <c>{"equip_id": 110, "timestamp": ms, "data": {"0001": 45.234, ...}}</c>
/// per equipment, values uniform over 0..100 in steps of 0.001 (round(uniform(0, 100), 3)), "null" with the
/// configured probability, written as Python's json.dumps wrote them. Deterministic for a seed; it takes
/// timestamps from its caller, so the same code serves the live (wall clock) and the backlog (synthetic) mode.
/// </summary>
internal sealed class FingerprintGenerator
{
    private readonly FingerprintGeneratorOptions _options;
    private readonly Random _random;
    private readonly byte[][] _equipmentPrefix;
    private readonly byte[][] _equipmentKeys;
    private readonly byte[][] _sensorPrefix;
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public FingerprintGenerator(FingerprintGeneratorOptions options)
    {
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
        _equipmentKeys = options.EquipmentIds.Select(Encoding.UTF8.GetBytes).ToArray();
        _equipmentPrefix = options.EquipmentIds.Select(id =>
        {
            var json = new StringBuilder("{\"equip_id\": ");
            if (long.TryParse(id, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && number.ToString(System.Globalization.CultureInfo.InvariantCulture) == id)
            {
                json.Append(id); // integer ids are JSON numbers, as the original's
            }
            else
            {
                PythonJson.String(json, id);
            }

            return Encoding.UTF8.GetBytes(json.Append(", \"timestamp\": ").ToString());
        }).ToArray();
        _sensorPrefix = options.SensorIds.Select((id, i) =>
        {
            var json = new StringBuilder(i == 0 ? "" : ", ");
            PythonJson.String(json, id);
            return Encoding.UTF8.GetBytes(json.Append(": ").ToString());
        }).ToArray();
    }

    public FingerprintGeneratorOptions Options => _options;

    public long Messages { get; private set; }

    public long Values { get; private set; }

    public long Nulls { get; private set; }

    /// <summary>One tick: a message per equipment, all with <paramref name="timestampMs"/>.</summary>
    public void Tick(long timestampMs, Action<byte[], byte[]> emit)
    {
        for (var e = 0; e < _equipmentPrefix.Length; e++)
        {
            emit(_equipmentKeys[e], Message(e, timestampMs));
        }
    }

    private byte[] Message(int equipment, long timestampMs)
    {
        var buffer = _buffer;
        buffer.ResetWrittenCount();
        Append(buffer, _equipmentPrefix[equipment]);
        Utf8Formatter.TryFormat(timestampMs, buffer.GetSpan(20), out var written);
        buffer.Advance(written);
        Append(buffer, ", \"data\": {"u8);
        for (var s = 0; s < _sensorPrefix.Length; s++)
        {
            Append(buffer, _sensorPrefix[s]);
            if (_random.NextDouble() < _options.NullProbability)
            {
                Append(buffer, "\"null\""u8);
                Nulls++;
                continue;
            }

            if (_options.StringValues)
            {
                Append(buffer, "\""u8);
            }

            WriteThousandths(buffer, _random.Next(0, 100_001));
            if (_options.StringValues)
            {
                Append(buffer, "\""u8);
            }

            Values++;
        }

        Append(buffer, "}}"u8);
        Messages++;
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>n/1000 as Python's repr of round(x, 3) prints it: "45.234", "45.2", "45.0".</summary>
    private static void WriteThousandths(ArrayBufferWriter<byte> buffer, int thousandths)
    {
        var (whole, fraction) = Math.DivRem(thousandths, 1000);
        var span = buffer.GetSpan(16);
        Utf8Formatter.TryFormat(whole, span, out var written);
        span[written++] = (byte)'.';
        if (fraction == 0)
        {
            span[written++] = (byte)'0';
        }
        else
        {
            var digits = 3;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            Utf8Formatter.TryFormat(fraction, span[written..], out var fractionWritten, new StandardFormat('D', (byte)digits));
            written += fractionWritten;
        }

        buffer.Advance(written);
    }

    private static void Append(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes) => buffer.Write(bytes);
}
