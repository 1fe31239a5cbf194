using System.Buffers;
using System.Text.Json;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// The record's JSON, byte for byte the original image API's model: <c>{"id","camera_id","data" (hex),
/// "gps_coordinates" [lat, lon], "created_at", "updated_at", "is_active", "is_deleted", "disease", "percentage"}</c>.
/// The API returns it and every Kafka message carries it.
/// </summary>
internal static class PlantImageJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static byte[] Serialize(PlantImage image)
    {
        var buffer = new ArrayBufferWriter<byte>(image.Data.Length * 2 + 320);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, image);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, PlantImage image)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id"u8, image.Id);
        writer.WriteNumber("camera_id"u8, image.CameraId);
        WriteHex(writer, image.Data);
        writer.WriteStartArray("gps_coordinates"u8);
        writer.WriteNumberValue(image.Latitude);
        writer.WriteNumberValue(image.Longitude);
        writer.WriteEndArray();
        writer.WriteString("created_at"u8, PlantTime.ToText(image.CreatedAt));
        if (image.UpdatedAt is { } updated)
        {
            writer.WriteString("updated_at"u8, PlantTime.ToText(updated));
        }
        else
        {
            writer.WriteNull("updated_at"u8);
        }

        writer.WriteBoolean("is_active"u8, image.IsActive);
        writer.WriteBoolean("is_deleted"u8, image.IsDeleted);
        if (image.Disease is { } disease)
        {
            writer.WriteString("disease"u8, disease);
        }
        else
        {
            writer.WriteNull("disease"u8);
        }

        if (image.Percentage is { } percentage)
        {
            writer.WriteNumber("percentage"u8, percentage);
        }
        else
        {
            writer.WriteNull("percentage"u8);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads a record of <paramref name="plant"/> from its JSON. Every field of the model is required (nullable ones
    /// may be null); unknown fields are ignored. A malformed record throws <see cref="FormatException"/> naming the field.
    /// </summary>
    public static PlantImage Parse(ReadOnlySpan<byte> json, string plant)
    {
        long? id = null, cameraId = null, createdAt = null, updatedAt = null;
        bool? isActive = null, isDeleted = null;
        byte[]? data = null;
        double? latitude = null, longitude = null, percentage = null;
        string? disease = null;
        var seen = Field.None;
        var reader = new Utf8JsonReader(json);
        try
        {
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, "the record is not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                Expect(reader.Read(), "the record ends early");
                seen |= field;
                switch (field)
                {
                    case Field.Id: id = Int64(ref reader, "id"); break;
                    case Field.CameraId: cameraId = Int64(ref reader, "camera_id"); break;
                    case Field.Data: data = Hex(ref reader); break;
                    case Field.Gps: (latitude, longitude) = Coordinates(ref reader); break;
                    case Field.CreatedAt: createdAt = Time(ref reader, "created_at", nullable: false); break;
                    case Field.UpdatedAt: updatedAt = Time(ref reader, "updated_at", nullable: true); break;
                    case Field.IsActive: isActive = Bool(ref reader, "is_active"); break;
                    case Field.IsDeleted: isDeleted = Bool(ref reader, "is_deleted"); break;
                    case Field.Disease:
                        Expect(reader.TokenType is JsonTokenType.String or JsonTokenType.Null, "disease must be a string or null");
                        disease = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                        break;
                    case Field.Percentage:
                        Expect(reader.TokenType is JsonTokenType.Number or JsonTokenType.Null, "percentage must be a number or null");
                        percentage = reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException error)
        {
            throw new FormatException($"the record is not valid JSON: {error.Message}", error);
        }

        var missing = Field.All & ~seen;
        if (missing != Field.None)
        {
            throw new FormatException($"the record lacks {string.Join(", ", Names(missing))}");
        }

        return new PlantImage
        {
            Plant = plant,
            Id = id!.Value,
            CameraId = cameraId!.Value,
            Data = data!,
            Latitude = latitude!.Value,
            Longitude = longitude!.Value,
            CreatedAt = createdAt!.Value,
            UpdatedAt = updatedAt,
            IsActive = isActive!.Value,
            IsDeleted = isDeleted!.Value,
            Disease = disease,
            Percentage = percentage,
        };
    }

    private static void WriteHex(Utf8JsonWriter writer, byte[] data)
    {
        var chars = ArrayPool<char>.Shared.Rent(data.Length * 2);
        try
        {
            Convert.TryToHexStringLower(data, chars, out var written);
            writer.WriteString("data"u8, chars.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("camera_id"u8) ? Field.CameraId
        : reader.ValueTextEquals("data"u8) ? Field.Data
        : reader.ValueTextEquals("gps_coordinates"u8) ? Field.Gps
        : reader.ValueTextEquals("created_at"u8) ? Field.CreatedAt
        : reader.ValueTextEquals("updated_at"u8) ? Field.UpdatedAt
        : reader.ValueTextEquals("is_active"u8) ? Field.IsActive
        : reader.ValueTextEquals("is_deleted"u8) ? Field.IsDeleted
        : reader.ValueTextEquals("disease"u8) ? Field.Disease
        : reader.ValueTextEquals("percentage"u8) ? Field.Percentage
        : Field.None;

    private static long Int64(ref Utf8JsonReader reader, string name)
    {
        long value = 0;
        Expect(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value), $"{name} must be an integer");
        return value;
    }

    private static bool Bool(ref Utf8JsonReader reader, string name)
    {
        Expect(reader.TokenType is JsonTokenType.True or JsonTokenType.False, $"{name} must be true or false");
        return reader.GetBoolean();
    }

    private static long? Time(ref Utf8JsonReader reader, string name, bool nullable)
    {
        if (nullable && reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        long micros = 0;
        Expect(reader.TokenType == JsonTokenType.String && PlantTime.TryParse(reader.GetString()!, out micros), $"{name} must be an ISO-8601 timestamp");
        return micros;
    }

    private static (double, double) Coordinates(ref Utf8JsonReader reader)
    {
        const string Message = "gps_coordinates must be [latitude, longitude]";
        Expect(reader.TokenType == JsonTokenType.StartArray, Message);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.Number, Message);
        var latitude = reader.GetDouble();
        Expect(reader.Read() && reader.TokenType == JsonTokenType.Number, Message);
        var longitude = reader.GetDouble();
        Expect(reader.Read() && reader.TokenType == JsonTokenType.EndArray, Message);
        return (latitude, longitude);
    }

    private static byte[] Hex(ref Utf8JsonReader reader)
    {
        Expect(reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped, "data must be a hex string");
        var hex = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return HexBytes.TryDecode(hex, out var bytes) ? bytes : throw new FormatException("data must be a hex string of whole bytes");
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }

    private static IEnumerable<string> Names(Field fields)
    {
        string[] names = ["id", "camera_id", "data", "gps_coordinates", "created_at", "updated_at", "is_active", "is_deleted", "disease", "percentage"];
        for (var i = 0; i < names.Length; i++)
        {
            if (((int)fields & (1 << i)) != 0)
            {
                yield return names[i];
            }
        }
    }

    [Flags]
    private enum Field
    {
        None = 0,
        Id = 1,
        CameraId = 2,
        Data = 4,
        Gps = 8,
        CreatedAt = 16,
        UpdatedAt = 32,
        IsActive = 64,
        IsDeleted = 128,
        Disease = 256,
        Percentage = 512,
        All = 1023,
    }
}
