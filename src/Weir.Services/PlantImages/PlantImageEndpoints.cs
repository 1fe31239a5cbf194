using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.PlantSync;

namespace Weir.Services.PlantImages;

/// <summary>Which side of the sync an image API serves.</summary>
internal enum PlantImageSide
{
    /// <summary>The producer's API: reads and writes; every write reaches Kafka through the outbox.</summary>
    Producer,

    /// <summary>
    /// The consumer's API: the same routes and schemas, read-only. A write here would change only the replica and
    /// be overwritten (or never be seen) by the producer's next change, so writes answer 405 and name the producer.
    /// </summary>
    Consumer,
}

/// <summary>
/// The Leaf Image Management System's image API (seeds-details §4.3) over a <see cref="PlantImageStore"/>: the same
/// routes, bodies and answers as the original FastAPI service, errors as <c>{"detail": "..."}</c>.
/// </summary>
internal static class PlantImageEndpoints
{
    public const string Alive = "Hello, I am alive";

    /// <param name="producerApi">On the consumer side: the producer API's address, named in the answer to writes.</param>
    public static void Map(IEndpointRouteBuilder app, PlantImageStore store, PlantImageSide side, string? producerApi, ILogger logger)
    {
        app.MapGet("/ping", () => Results.Json(Alive));

        var routes = app.MapGroup("/image-plant").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (PlantImageRequestException error)
            {
                return Detail(error.StatusCode, error.Message);
            }
            catch (BadHttpRequestException error)
            {
                // The client sent a malformed request or went away mid-body: its problem, not the service's.
                logger.LogDebug("{Method} {Path} from {Client}: {Error}", context.HttpContext.Request.Method, context.HttpContext.Request.Path, context.HttpContext.Connection.RemoteIpAddress, error.Message);
                return Detail(error.StatusCode, error.Message);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "{Method} {Path} from {Client} failed", context.HttpContext.Request.Method, context.HttpContext.Request.Path, context.HttpContext.Connection.RemoteIpAddress);
                return Detail(StatusCodes.Status500InternalServerError, $"internal error: {error.Message}");
            }
        });

        routes.MapGet("/is-deployed/", async (CancellationToken ct) =>
            await store.IsDeployedAsync(ct).ConfigureAwait(false)
                ? Results.Json(new Dictionary<string, bool> { ["is_deployed"] = true })
                : Detail(StatusCodes.Status404NotFound, "Is deployed flag is not found"));

        routes.MapGet("/{plant}/total/", async (string plant, CancellationToken ct) =>
            Results.Json(new Dictionary<string, long> { ["total_images"] = await store.CountAsync(Known(plant), ct).ConfigureAwait(false) }));

        routes.MapGet("/{plant}/random/", async (string plant, string? is_active, string? has_disease, CancellationToken ct) =>
        {
            var image = await store.RandomAsync(
                Known(plant), PlantImageRequests.ParseFlag("is_active", is_active), PlantImageRequests.ParseFlag("has_disease", has_disease), Random.Shared, ct)
                .ConfigureAwait(false);
            return image is null ? Detail(StatusCodes.Status404NotFound, "There are no images with the specified filter") : Record(image);
        });

        routes.MapGet("/{plant}/", async (string plant, string? from_id, string? limit, string? is_active, string? has_disease, CancellationToken ct) =>
        {
            var (images, total) = await store.ListAsync(
                Known(plant),
                PlantImageRequests.ParseNumber("from_id", from_id, 1, 0, long.MaxValue),
                (int)PlantImageRequests.ParseNumber("limit", limit, 10, 1, 1000),
                PlantImageRequests.ParseFlag("is_active", is_active),
                PlantImageRequests.ParseFlag("has_disease", has_disease),
                ct).ConfigureAwait(false);
            return Results.Bytes(List(images, total), "application/json");
        });

        routes.MapGet("/{plant}/{id}", async (string plant, string id, CancellationToken ct) =>
        {
            var imageId = PlantImageRequests.ParseId(id);
            return await store.GetAsync(Known(plant), imageId, ct).ConfigureAwait(false) is { } image ? Record(image) : NotFound(imageId);
        });

        if (side == PlantImageSide.Consumer)
        {
            var message = "This is the consumer side of plant-sync: a read-only replica of the producer database, kept in step through Kafka. "
                + $"Send writes to the producer image API{(string.IsNullOrEmpty(producerApi) ? "" : $" at {producerApi}")}.";
            routes.MapMethods("/{plant}/", ["PUT", "POST"], (HttpContext http) => ReadOnly(http, message));
            routes.MapDelete("/{plant}/{id}", (HttpContext http) => ReadOnly(http, message));
            return;
        }

        routes.MapPut("/{plant}/", async (string plant, HttpRequest request, CancellationToken ct) =>
        {
            Known(plant);
            var create = PlantImageRequests.ParseCreate(await BodyAsync(request, ct).ConfigureAwait(false));
            var image = await store.CreateAsync(plant, create.CameraId, create.Latitude, create.Longitude, create.Data, Random.Shared, ct).ConfigureAwait(false);
            return image is null
                ? Detail(StatusCodes.Status409Conflict, $"There are no {plant} images to copy the image from; send the image as hex JPEG in \"data\"")
                : Record(image);
        });

        routes.MapPost("/{plant}/", async (string plant, HttpRequest request, CancellationToken ct) =>
        {
            Known(plant);
            var update = PlantImageRequests.ParseUpdate(await BodyAsync(request, ct).ConfigureAwait(false));
            return await store.UpdateAsync(plant, update, ct).ConfigureAwait(false) is { } image ? Record(image) : NotFound(update.Id);
        });

        routes.MapDelete("/{plant}/{id}", async (string plant, string id, CancellationToken ct) =>
        {
            Known(plant);
            var imageId = PlantImageRequests.ParseId(id);
            return await store.DeleteAsync(plant, imageId, ct).ConfigureAwait(false) is null
                ? NotFound(imageId)
                : Results.Json(new Dictionary<string, string> { ["message"] = "Image deleted successfully" });
        });
    }

    private static string Known(string plant) =>
        Plants.IsKnown(plant) ? plant : throw new PlantImageRequestException(StatusCodes.Status404NotFound, Plants.UnknownPlantMessage(plant));

    private static IResult Record(PlantImage image) => Results.Bytes(PlantImageJson.Serialize(image), "application/json");

    private static IResult NotFound(long id) => Detail(StatusCodes.Status404NotFound, $"Image with id {id} not found");

    private static IResult Detail(int status, string message) =>
        Results.Json(new Dictionary<string, string> { ["detail"] = message }, statusCode: status);

    private static IResult ReadOnly(HttpContext http, string message)
    {
        http.Response.Headers.Allow = "GET";
        return Detail(StatusCodes.Status405MethodNotAllowed, message);
    }

    private static async Task<JsonElement> BodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (JsonException error)
        {
            throw PlantImageRequests.Invalid($"the body is not valid JSON: {error.Message}");
        }
    }

    private static byte[] List(List<PlantImage> images, long total)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("image_list");
            foreach (var image in images)
            {
                PlantImageJson.Write(writer, image);
            }

            writer.WriteEndArray();
            writer.WriteNumber("total_images", total);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
