using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weir.Pipelines.Fingerprint;

/// <summary>A message that cannot be a reading: the reason goes to the dead-letter topic with the bytes.</summary>
internal sealed class InvalidReadingException(string message) : Exception(message);

/// <summary>
/// Parses <c>sensor-data</c> messages as the original did (numbers or numeric strings; the string "null" is a
/// missing reading) and stricter where the original crashed or let garbage through: a message with a value that is
/// not a finite number, a missing equip_id or data, is rejected whole with a reason. JSON null counts as "null".
/// One parser per thread: it interns equipment and sensor ids so repeated ids cost no allocation.
/// </summary>
internal sealed class SensorMessageParser(bool float32Values = false)
{
    private const int MaxInterned = 1 << 20;

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly List<SensorValue> _values = new(32);

    /// <summary>Round values through float32 as the original's Types.FLOAT() did (1.09 becomes 1.090000033378601).</summary>
    public bool Float32Values { get; } = float32Values;

    public SensorMessage Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return ParseCore(json);
        }
        catch (JsonException error)
        {
            throw new InvalidReadingException($"not JSON: {error.Message}");
        }
    }

    private SensorMessage ParseCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidReadingException("a reading is a JSON object {\"equip_id\", \"timestamp\", \"data\"}");
        }

        string? equipId = null;
        long? timestamp = null;
        var sawData = false;
        _values.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("equip_id"u8))
            {
                reader.Read();
                equipId = reader.TokenType switch
                {
                    JsonTokenType.Number => Intern(reader.ValueSpan),
                    JsonTokenType.String when reader.ValueSpan.Length > 0 || reader.ValueIsEscaped => Intern(reader),
                    _ => throw new InvalidReadingException("equip_id must be a number or a non-empty string"),
                };
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                timestamp = ReadTimestamp(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new InvalidReadingException("data must be an object of sensor id → value");
                }

                sawData = true;
                ReadData(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (equipId is null)
        {
            throw new InvalidReadingException("equip_id is missing");
        }

        return sawData
            ? new SensorMessage(equipId, timestamp, _values.ToArray())
            : throw new InvalidReadingException("data is missing");
    }

    private static long? ReadTimestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms))
        {
            return ms;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var fractional) && double.IsFinite(fractional)
            && Math.Abs(fractional) < 9e15)
        {
            return (long)Math.Floor(fractional);
        }

        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out ms))
        {
            return ms;
        }

        throw new InvalidReadingException("timestamp must be epoch milliseconds");
    }

    private void ReadData(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var sensor = Intern(reader);
            reader.Read();
            double value;
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    value = reader.GetDouble();
                    break;
                case JsonTokenType.Null:
                    continue;
                case JsonTokenType.String when reader.ValueTextEquals("null"u8):
                    continue;
                case JsonTokenType.String:
                    var text = reader.GetString()!;
                    if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                    {
                        throw new InvalidReadingException($"sensor '{sensor}': '{text}' is not a number");
                    }

                    break;
                default:
                    throw new InvalidReadingException($"sensor '{sensor}': a value is a number, a numeric string or \"null\", not {reader.TokenType}");
            }

            if (!double.IsFinite(value))
            {
                throw new InvalidReadingException($"sensor '{sensor}': {value.ToString(CultureInfo.InvariantCulture)} is not a finite number");
            }

            _values.Add(new SensorValue(sensor, Float32Values ? (float)value : value));
        }
    }

    private string Intern(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[Math.Min(utf8.Length, 256)];
        if (utf8.Length <= 256 && Encoding.UTF8.TryGetChars(utf8, chars, out var written))
        {
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars[..written], out var existing))
            {
                return existing;
            }

            var created = new string(chars[..written]);
            if (_strings.Count < MaxInterned)
            {
                _strings.Add(created);
            }

            return created;
        }

        return Encoding.UTF8.GetString(utf8);
    }

    private string Intern(Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence ? reader.GetString()! : Intern(reader.ValueSpan);
}
