using System.Text.Json;
using Weir.Pipelines.PlantSync;

namespace Weir.Services.PlantImages;

/// <summary>A request the API rejects: answered with <see cref="StatusCode"/> and <c>{"detail": message}</c>.</summary>
internal sealed class PlantImageRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>The create body (PUT): camera and position; the image itself is optional.</summary>
internal sealed record PlantImageCreate(long CameraId, double Latitude, double Longitude, byte[]? Data);

/// <summary>
/// Reads and checks request bodies and query values. Anything malformed is a 422 with a message naming the field,
/// as the original FastAPI service answered validation errors. Unknown fields are ignored, as pydantic does.
/// </summary>
internal static class PlantImageRequests
{
    private const int UnprocessableEntity = 422;
    private const int MaxDiseaseLength = 100;

    /// <summary>
    /// <c>{"camera_id": int, "gps_coordinates": [lat, lon]}</c>, plus an extension the original lacks:
    /// <c>"data"</c>, the new image as hex JPEG (without it the image is copied from an existing record).
    /// </summary>
    public static PlantImageCreate ParseCreate(JsonElement body)
    {
        RequireObject(body);
        var cameraId = Integer(body, "camera_id", required: true, minimum: 0)!.Value;
        var (latitude, longitude) = Coordinates(body, required: true)!.Value;
        byte[]? data = null;
        if (body.TryGetProperty("data", out var hex) && hex.ValueKind != JsonValueKind.Null)
        {
            if (hex.ValueKind != JsonValueKind.String)
            {
                throw Invalid("data must be the image as a hex string");
            }

            try
            {
                data = Convert.FromHexString(hex.GetString()!);
            }
            catch (FormatException)
            {
                throw Invalid("data must be the image as a hex string");
            }

            if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF)
            {
                throw Invalid("data must be a JPEG image (hex starting ffd8ff)");
            }
        }

        return new PlantImageCreate(cameraId, latitude, longitude, data);
    }

    /// <summary>
    /// <c>{"id", "camera_id", "gps_coordinates", "disease", "percentage", "is_active", "is_deleted"}</c>: <c>id</c>
    /// is required; any other field that is null or absent keeps its stored value.
    /// </summary>
    public static PlantImageUpdate ParseUpdate(JsonElement body)
    {
        RequireObject(body);
        var id = Integer(body, "id", required: true, minimum: 1)!.Value;
        string? disease = null;
        if (body.TryGetProperty("disease", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.String || d.GetString() is not { Length: > 0 and <= MaxDiseaseLength } text)
            {
                throw Invalid($"disease must be a string of 1 to {MaxDiseaseLength} characters or null");
            }

            disease = text;
        }

        double? percentage = null;
        if (body.TryGetProperty("percentage", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Number || p.GetDouble() is < 0 or > 100)
            {
                throw Invalid("percentage must be a number from 0 to 100 or null");
            }

            percentage = p.GetDouble();
        }

        return new PlantImageUpdate(
            id,
            Integer(body, "camera_id", required: false, minimum: 0),
            Coordinates(body, required: false),
            disease,
            percentage,
            Boolean(body, "is_active"),
            Boolean(body, "is_deleted"));
    }

    public static long ParseId(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : throw Invalid($"image id '{text}' is not a whole number");

    /// <summary>An optional query flag: absent, "true" or "false" (any case, also 1/0).</summary>
    public static bool? ParseFlag(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "" => null,
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw Invalid($"{name} must be true or false, not '{value}'"),
    };

    /// <summary>An optional whole-number query value within [minimum, maximum].</summary>
    public static long ParseNumber(string name, string? value, long fallback, long minimum, long maximum)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        return long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && number >= minimum && number <= maximum
            ? number
            : throw Invalid($"{name} must be a whole number from {minimum} to {maximum}, not '{value}'");
    }

    public static PlantImageRequestException Invalid(string message) => new(UnprocessableEntity, message);

    private static void RequireObject(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("the body must be a JSON object");
        }
    }

    private static long? Integer(JsonElement body, string name, bool required, long minimum)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw Invalid($"{name} is required") : null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= minimum
            ? number
            : throw Invalid($"{name} must be a whole number of at least {minimum}");
    }

    private static bool? Boolean(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"{name} must be true, false or null"),
        };
    }

    private static (double Latitude, double Longitude)? Coordinates(JsonElement body, bool required)
    {
        if (!body.TryGetProperty("gps_coordinates", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw Invalid("gps_coordinates is required") : null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2
            || value[0].ValueKind != JsonValueKind.Number || value[1].ValueKind != JsonValueKind.Number)
        {
            throw Invalid("gps_coordinates must be [latitude, longitude]");
        }

        var (latitude, longitude) = (value[0].GetDouble(), value[1].GetDouble());
        return latitude is < -90 or > 90 || longitude is < -180 or > 180
            ? throw Invalid("gps_coordinates must be a latitude from -90 to 90 and a longitude from -180 to 180")
            : (latitude, longitude);
    }
}
