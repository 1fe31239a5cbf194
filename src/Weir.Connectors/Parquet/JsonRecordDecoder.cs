using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weir.Connectors.Parquet;

/// <summary>
/// Validates one JSON object against a <see cref="RecordSchema"/> and appends it as a row of a
/// <see cref="ColumnBatch"/>. Fields the schema does not name are ignored (as Spark's <c>from_json</c> does); a
/// missing, null or mistyped field rejects the whole record with a reason meant for a person reading a dead letter.
/// No allocation per accepted record except string values.
/// </summary>
public sealed class JsonRecordDecoder(RecordSchema schema)
{
    private const long MicrosPerSecond = 1_000_000;

    private static readonly long MinEpochMicros = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
    private static readonly long MaxEpochMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    public RecordSchema Schema { get; } = schema;

    /// <summary>
    /// Appends <paramref name="json"/> to <paramref name="batch"/> when it is valid; otherwise leaves the batch as it
    /// was and returns the reason.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> json, ColumnBatch batch, out string? error)
    {
        if (!ReferenceEquals(batch.Schema, Schema))
        {
            throw new ArgumentException("the batch has another schema", nameof(batch));
        }

        batch.EnsureRoomForOne();
        try
        {
            error = Decode(json, batch);
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
        }

        if (error is not null)
        {
            return false;
        }

        batch.CommitRow();
        return true;
    }

    private string? Decode(ReadOnlySpan<byte> json, ColumnBatch batch)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return "empty record";
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        reader.Read();

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return $"not a JSON object (starts with {Describe(reader.TokenType)})";
        }

        var names = Schema.Utf8Names;
        var row = batch.Count;
        ulong seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = -1;
            for (var i = 0; i < names.Length; i++)
            {
                if (reader.ValueTextEquals(names[i]))
                {
                    column = i;
                    break;
                }
            }

            reader.Read();
            if (column < 0)
            {
                reader.Skip();
                continue;
            }

            var bit = 1UL << column;
            if ((seen & bit) != 0)
            {
                return $"field '{Schema.Columns[column].Name}' appears twice";
            }

            seen |= bit;
            var problem = ReadValue(ref reader, batch, column, row);
            if (problem is not null)
            {
                return problem;
            }
        }

        // The reader refuses a second top-level value or trailing garbage with a JsonException on the next Read.
        while (reader.Read())
        {
        }

        var all = names.Length == 64 ? ulong.MaxValue : (1UL << names.Length) - 1;
        if (seen != all)
        {
            var missing = Schema.Columns.Where((_, i) => (seen & (1UL << i)) == 0).Select(c => $"'{c.Name}'");
            return $"field {string.Join(", ", missing)} missing";
        }

        return null;
    }

    private string? ReadValue(ref Utf8JsonReader reader, ColumnBatch batch, int column, int row)
    {
        var spec = Schema.Columns[column];
        var token = reader.TokenType;
        switch (spec.Type)
        {
            case ColumnType.Int32:
                if (token == JsonTokenType.Number && reader.TryGetInt32(out var i32))
                {
                    batch.Column<int>(column)[row] = i32;
                    return null;
                }

                return Mistyped(spec, "an integer in int32 range", ref reader);
            case ColumnType.Int64:
                if (token == JsonTokenType.Number && reader.TryGetInt64(out var i64))
                {
                    batch.Column<long>(column)[row] = i64;
                    return null;
                }

                return Mistyped(spec, "an integer in int64 range", ref reader);
            case ColumnType.Float32:
                if (token == JsonTokenType.Number && reader.TryGetDouble(out var f64) && double.IsFinite(f64)
                    && Math.Abs(f64) <= float.MaxValue)
                {
                    batch.Column<float>(column)[row] = (float)f64;
                    return null;
                }

                return Mistyped(spec, "a number within float32 range", ref reader);
            case ColumnType.Float64:
                if (token == JsonTokenType.Number && reader.TryGetDouble(out var d) && double.IsFinite(d))
                {
                    batch.Column<double>(column)[row] = d;
                    return null;
                }

                return Mistyped(spec, "a finite number", ref reader);
            case ColumnType.String:
                if (token == JsonTokenType.String)
                {
                    batch.Column<string>(column)[row] = reader.GetString()!;
                    return null;
                }

                return Mistyped(spec, "a string", ref reader);
            case ColumnType.Timestamp:
                if (TryReadTimestamp(ref reader, out var instant))
                {
                    batch.Column<DateTime>(column)[row] = instant;
                    return null;
                }

                return Mistyped(spec, "a timestamp (seconds since the Unix epoch, or ISO 8601 text)", ref reader);
            default:
                throw new InvalidOperationException($"unknown column type {spec.Type}");
        }
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, out DateTime instant)
    {
        instant = default;
        if (reader.TokenType == JsonTokenType.Number)
        {
            long micros;
            if (reader.TryGetInt64(out var seconds))
            {
                if (seconds < MinEpochMicros / MicrosPerSecond || seconds > MaxEpochMicros / MicrosPerSecond)
                {
                    return false;
                }

                micros = seconds * MicrosPerSecond;
            }
            else if (reader.TryGetDouble(out var fractional) && double.IsFinite(fractional))
            {
                var scaled = Math.Round(fractional * MicrosPerSecond);
                if (scaled < MinEpochMicros || scaled > MaxEpochMicros)
                {
                    return false;
                }

                micros = (long)scaled;
            }
            else
            {
                return false;
            }

            instant = DateTime.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
            return true;
        }

        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            instant = parsed.UtcDateTime;
            return true;
        }

        return false;
    }

    private static string Mistyped(ColumnSpec spec, string expected, ref Utf8JsonReader reader)
    {
        var got = reader.TokenType switch
        {
            JsonTokenType.Number or JsonTokenType.String => $"{Describe(reader.TokenType)} {Excerpt(ref reader)}",
            _ => Describe(reader.TokenType),
        };
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }

        return $"field '{spec.Name}' must be {expected}, got {got}";
    }

    private static string Excerpt(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan);
        if (raw.Length > 40)
        {
            raw = raw[..40] + "…";
        }

        return reader.TokenType == JsonTokenType.String ? $"\"{raw}\"" : raw;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
