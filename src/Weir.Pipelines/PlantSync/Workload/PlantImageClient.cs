using System.Buffers;
using System.Net;
using System.Text.Json;

namespace Weir.Pipelines.PlantSync.Workload;

/// <summary>A client of the image API (producer or consumer side), as the original jobs called it.</summary>
internal sealed class PlantImageClient(HttpClient http)
{
    /// <summary>PUT /image-plant/{plant}/: a new image. Without <paramref name="jpeg"/> the API copies an existing image.</summary>
    public async Task<PlantImage> CreateAsync(string plant, long cameraId, double latitude, double longitude, byte[]? jpeg, CancellationToken cancellationToken)
    {
        var body = Json(writer =>
        {
            writer.WriteNumber("camera_id", cameraId);
            writer.WriteStartArray("gps_coordinates");
            writer.WriteNumberValue(latitude);
            writer.WriteNumberValue(longitude);
            writer.WriteEndArray();
            if (jpeg is not null)
            {
                writer.WriteString("data", Convert.ToHexStringLower(jpeg));
            }
        });
        return await SendForImageAsync(HttpMethod.Put, $"image-plant/{plant}/", body, plant, cancellationToken).ConfigureAwait(false)
            ?? throw new HttpRequestException($"creating a {plant} image returned no record");
    }

    /// <summary>POST /image-plant/{plant}/: changes the given fields; null when the image does not exist.</summary>
    public Task<PlantImage?> UpdateAsync(string plant, PlantImageUpdate update, CancellationToken cancellationToken)
    {
        var body = Json(writer =>
        {
            writer.WriteNumber("id", update.Id);
            WriteOrNull(writer, "camera_id", update.CameraId);
            if (update.Coordinates is { } c)
            {
                writer.WriteStartArray("gps_coordinates");
                writer.WriteNumberValue(c.Latitude);
                writer.WriteNumberValue(c.Longitude);
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteNull("gps_coordinates");
            }

            if (update.Disease is null)
            {
                writer.WriteNull("disease");
            }
            else
            {
                writer.WriteString("disease", update.Disease);
            }

            WriteOrNull(writer, "percentage", update.Percentage);
            WriteOrNull(writer, "is_active", update.IsActive);
            WriteOrNull(writer, "is_deleted", update.IsDeleted);
        });
        return SendForImageAsync(HttpMethod.Post, $"image-plant/{plant}/", body, plant, cancellationToken);
    }

    /// <summary>DELETE /image-plant/{plant}/{id}: soft delete; false when the image does not exist.</summary>
    public async Task<bool> DeleteAsync(string plant, long id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync(new Uri($"image-plant/{plant}/{id}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<PlantImage?> GetAsync(string plant, long id, CancellationToken cancellationToken) =>
        SendForImageAsync(HttpMethod.Get, $"image-plant/{plant}/{id}", null, plant, cancellationToken);

    /// <summary>GET /image-plant/{plant}/random/: null when no image matches.</summary>
    public Task<PlantImage?> RandomAsync(string plant, bool? isActive, bool? hasDisease, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (isActive is { } active)
        {
            query.Add($"is_active={(active ? "true" : "false")}");
        }

        if (hasDisease is { } disease)
        {
            query.Add($"has_disease={(disease ? "true" : "false")}");
        }

        return SendForImageAsync(HttpMethod.Get, $"image-plant/{plant}/random/{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", null, plant, cancellationToken);
    }

    public async Task<long> TotalAsync(string plant, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"image-plant/{plant}/total/", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        return json.RootElement.GetProperty("total_images").GetInt64();
    }

    private async Task<PlantImage?> SendForImageAsync(HttpMethod method, string path, byte[]? body, string plant, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return PlantImageJson.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), plant);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
        }
    }

    private static byte[] Json(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
