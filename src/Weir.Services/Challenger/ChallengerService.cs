using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.Lpbf.Data;
using Weir.Services.Hosting;

namespace Weir.Services.Challenger;

/// <summary>
/// The Local Challenger emulator as a running service: the data set (generated or a tile folder), the benchmark
/// runs kept under the data folder, the API under /api and the /dash pages.
/// </summary>
internal sealed class ChallengerService : IAsyncDisposable
{
    private readonly WebService _web;
    private readonly BenchStore _store;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _generating;

    private ChallengerService(WebService web, BenchStore store, ITileDataSet dataSet, bool generateAtStart, ILogger logger)
    {
        _web = web;
        _store = store;
        DataSet = dataSet;
        _generating = generateAtStart && dataSet is GeneratedDataSet generated
            ? Task.Run(() => GenerateAsync(generated, logger, _stopping.Token))
            : Task.CompletedTask;
    }

    /// <summary>The base address clients use (the API is under /api).</summary>
    public Uri Address => _web.Address;

    public ITileDataSet DataSet { get; }

    public Task Completion => _web.Completion;

    /// <param name="dataDir">Folder for runs and the generated data set (the caller resolves the default).</param>
    public static async Task<ChallengerService> StartAsync(ChallengerOptions options, string dataDir, ILoggerFactory loggerFactory, TimeProvider? time, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("weir.challenger");
        var dataSet = CreateDataSet(options, dataDir);
        var store = new BenchStore(dataDir, logger);
        var api = new ChallengerApi(options, dataSet, store, new BenchClock(time ?? TimeProvider.System), logger);
        WebService web;
        try
        {
            web = await WebService.StartAsync("challenger", options.Listen, loggerFactory, null, app => Map(app, api, logger), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            store.Dispose();
            throw;
        }

        logger.LogInformation("Local Challenger at {Address}/api: {DataSet}; {Runs} earlier runs", web.Address.ToString().TrimEnd('/'), dataSet.Description, store.Count);
        return new ChallengerService(web, store, dataSet, options.GenerateAtStart, logger);
    }

    /// <summary>
    /// Writes the tiles of the generated print that are not cached yet, so that benchmarks are served from files
    /// instead of waiting for the generator. Serving goes on meanwhile; a failure here is only logged, because
    /// serving a tile writes it again on demand and reports the error to that client.
    /// </summary>
    private static async Task GenerateAsync(GeneratedDataSet dataSet, ILogger logger, CancellationToken cancellationToken)
    {
        var missing = dataSet.CountMissing();
        if (missing == 0)
        {
            return;
        }

        logger.LogInformation("generating {Missing} of {Count} tiles into {Folder} in the background", missing, dataSet.Count, dataSet.Folder);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("generated print ready: {Missing} tiles written in {Seconds:F1} s", missing, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("generating the print in the background stopped: {Reason}; tiles are generated when first served", error.Message);
        }
        catch (Exception error)
        {
            // This task is the boundary of the background work: nothing awaits it until the emulator stops, and
            // serving a tile meets the same error again and answers that client with it.
            logger.LogError(error, "generating the print in the background failed; tiles are generated when first served");
        }
    }

    public static ITileDataSet CreateDataSet(ChallengerOptions options, string dataDir) =>
        string.IsNullOrWhiteSpace(options.Tiles)
            ? new GeneratedDataSet(new GeneratorOptions { Layers = options.Layers, Seed = options.Seed, PrintId = options.PrintId }, Path.Combine(dataDir, "datasets"))
            : new TileFolderDataSet(Path.GetFullPath(options.Tiles), options.PrintId);

    private static void Map(WebApplication app, ChallengerApi api, ILogger logger)
    {
        // The one error boundary of a request: log with the client address, answer 500 with the reason.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                logger.LogError(error, "{Method} {Path} from {Client} failed", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress);
                if (!context.Response.HasStarted)
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    await context.Response.WriteAsync(error.Message).ConfigureAwait(false);
                }
            }
        });

        app.MapPost("/api/create", (HttpRequest request) => api.CreateAsync(request));
        app.MapPost("/api/start/{benchId}", (string benchId) => api.Start(benchId));
        app.MapGet("/api/next_batch/{benchId}", (HttpContext context, string benchId) => api.NextBatchAsync(context, benchId));
        app.MapPost("/api/result/{query}/{benchId}/{batchId}", (HttpRequest request, string query, string benchId, string batchId) => api.ResultAsync(request, query, benchId, batchId));
        app.MapPost("/api/end/{benchId}", (string benchId) => api.End(benchId));
        app.MapGet("/api/history", () => api.History());
        app.MapGet("/api/get_result/{query}/{benchId}/{batchId}", (string query, string benchId, string batchId) => api.GetResult(query, benchId, batchId));
        app.MapGet("/api/plot/{query}/{benchId}/{batchId}", async (HttpContext context, string query, string benchId, string batchId) =>
        {
            if (query != "0" || !int.TryParse(batchId, NumberStyles.None, CultureInfo.InvariantCulture, out var batch))
            {
                return Results.Text("query must be 0 and the batch id a non-negative integer", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }

            var bench = api.Store.Find(benchId);
            byte[]? submitted;
            if (bench is null)
            {
                return Results.NotFound();
            }

            lock (bench.Gate)
            {
                if (!bench.WasServed(batch))
                {
                    return Results.NotFound();
                }

                submitted = bench.ResultOf(batch);
            }

            var svg = await TilePlot.RenderAsync(api.DataSet, batch, submitted, context.RequestAborted).ConfigureAwait(false);
            return Results.Text(svg, "image/svg+xml");
        });
        app.MapGet("/dash", () => Results.Content(ChallengerDashboard.Runs(api.Store, api.DataSet.Description, api.Clock.NowNs), "text/html; charset=utf-8"));
        app.MapGet("/dash/{benchId}", (string benchId) => api.Store.Find(benchId) is { } bench
            ? Results.Content(ChallengerDashboard.Run(bench), "text/html; charset=utf-8")
            : Results.NotFound());
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _generating.ConfigureAwait(false);
        _stopping.Dispose();
        await _web.DisposeAsync().ConfigureAwait(false);
        _store.Dispose();
    }
}
