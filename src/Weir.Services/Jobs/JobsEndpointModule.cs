using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Weir.Services.Http;
using Weir.Streams;

namespace Weir.Services.Jobs;

/// <summary>
/// /api/jobs on the Weir HTTP host: the jobs running in this process (operators, parallelism, records in and out,
/// watermarks, last checkpoint) and cancelling one. `weir jobs list|cancel` are clients of these routes.
/// </summary>
internal sealed class JobsEndpointModule : IEndpointModule
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = true,
    };

    public IEnumerable<(string Path, string Description)> Links => [("/api/jobs", "jobs of this process: operators, records, watermarks, checkpoints")];

    public void Map(WebApplication app)
    {
        app.MapGet("/api/jobs", () => JsonResult(JobRegistry.All.Select(j => j.Describe()).ToList()));
        app.MapGet("/api/jobs/{id}", (string id) => JobRegistry.Find(id) is { } job ? JsonResult(job.Describe()) : NotFound(id));
        app.MapPost("/api/jobs/{id}/cancel", (string id) =>
        {
            if (JobRegistry.Find(id) is not { } job)
            {
                return NotFound(id);
            }

            job.Cancel();
            return JsonResult(job.Describe(), StatusCodes.Status202Accepted);
        });
    }

    private static IResult JsonResult(object value, int status = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(value, value.GetType(), Json), "application/json; charset=utf-8", statusCode: status);

    private static IResult NotFound(string id) =>
        Results.Text(JsonSerializer.Serialize(new { error = $"no job '{id}' in this process" }, Json), "application/json; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
}
