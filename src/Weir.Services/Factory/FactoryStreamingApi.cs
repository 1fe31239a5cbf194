using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Weir.Services.Hosting;

namespace Weir.Services.Factory;

/// <summary>
/// The factory's streaming data API (the original is a Flask app): <c>GET /stream_data_{name}</c> for every JSON
/// file of the source folder streams its records, sorted by time, one JSON object per line (NDJSON over a chunked
/// HTTP/1.1 response), waiting <see cref="FactoryApiOptions.Delay"/> after each record. Every request replays the
/// file from the start and the response ends after the last record.
/// <para>
/// Weir addition, for clients that reconnect: <c>?offset=N</c> starts at the N-th record (0-based) instead, and
/// the response carries <c>Weir-Stream-Offset</c> (where it starts) and <c>Weir-Stream-Count</c> (records in the
/// file). A client that sees no <c>Weir-Stream-Offset</c> is talking to a server that ignores the parameter and
/// must skip records itself.
/// </para>
/// </summary>
internal static class FactoryStreamingApi
{
    public const string OffsetHeader = "Weir-Stream-Offset";
    public const string CountHeader = "Weir-Stream-Count";
    public const string EndpointPrefix = "stream_data_";

    /// <summary>Bytes gathered before a flush when there is no delay (with a delay, every record is flushed).</summary>
    private const int FlushBytes = 32 * 1024;

    public static Task<WebService> StartAsync(
        IReadOnlyDictionary<string, StreamSource> sources,
        FactoryApiOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!double.IsFinite(options.Delay) || options.Delay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Delay, "the delay is a number of seconds, 0 or more");
        }

        var delay = TimeSpan.FromSeconds(options.Delay);
        var log = loggerFactory.CreateLogger("weir.factory.api");
        return WebService.StartAsync(
            "factory-api",
            options.Listen,
            loggerFactory,
            configureServices: null,
            app =>
            {
                app.MapGet("/", () => Results.Json(sources.Values.Select(s => new
                {
                    endpoint = "/" + EndpointPrefix + s.Name,
                    records = s.Lines.Count,
                })));
                app.MapGet("/" + EndpointPrefix + "{name}", (HttpContext http, string name, long? offset) =>
                    StreamAsync(http, sources, name, offset ?? 0, delay, timeProvider, log));
            },
            cancellationToken);
    }

    private static async Task StreamAsync(
        HttpContext http,
        IReadOnlyDictionary<string, StreamSource> sources,
        string name,
        long offset,
        TimeSpan delay,
        TimeProvider timeProvider,
        ILogger log)
    {
        if (!sources.TryGetValue(name, out var source))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync(
                $"no stream '{name}'; streams: {string.Join(", ", sources.Keys.Select(k => "/" + EndpointPrefix + k))}\n",
                http.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (offset < 0)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("offset must be 0 or more\n", http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var lines = source.Lines;
        var start = (int)Math.Min(offset, lines.Count);
        http.Response.ContentType = "application/json";
        http.Response.Headers[OffsetHeader] = start.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[CountHeader] = lines.Count.ToString(CultureInfo.InvariantCulture);
        var body = http.Response.BodyWriter;
        var aborted = http.RequestAborted;
        var pending = 0;
        try
        {
            await http.Response.StartAsync(aborted).ConfigureAwait(false);
            for (var i = start; i < lines.Count; i++)
            {
                var line = lines[i];
                line.CopyTo(body.GetSpan(line.Length));
                body.Advance(line.Length);
                pending += line.Length;
                if (delay > TimeSpan.Zero)
                {
                    // The original sleeps after every record, the last one included.
                    await body.FlushAsync(aborted).ConfigureAwait(false);
                    pending = 0;
                    await Task.Delay(delay, timeProvider, aborted).ConfigureAwait(false);
                }
                else if (pending >= FlushBytes)
                {
                    await body.FlushAsync(aborted).ConfigureAwait(false);
                    pending = 0;
                }
            }

            await body.FlushAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            log.LogDebug("client {Client} left /{Prefix}{Name}", http.Connection.RemoteIpAddress, EndpointPrefix, name);
        }
    }
}
