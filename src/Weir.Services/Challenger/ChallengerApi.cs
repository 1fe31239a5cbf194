using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Formats;

namespace Weir.Services.Challenger;

/// <summary>
/// The Local Challenger's REST API (docs/pipelines/lpbf.md "The emulator"): create, start, next_batch, result,
/// end, history, get_result and plot under /api, with the original's bodies, content types and statuses. With
/// <see cref="ChallengerOptions.OnlineRules"/> it applies the online platform's stricter rules instead.
/// </summary>
internal sealed class ChallengerApi(ChallengerOptions options, ITileDataSet dataSet, BenchStore store, BenchClock clock, ILogger logger)
{
    private static readonly string[] OnlineCreateFields = ["apitoken", "name", "test"];

    public ITileDataSet DataSet => dataSet;

    public BenchStore Store => store;

    public BenchClock Clock => clock;

    public async Task<IResult> CreateAsync(HttpRequest request)
    {
        JsonObject body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonObject>(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException error)
        {
            return BadRequest($"the body must be a JSON BenchConfig object: {error.Message}");
        }

        var token = body["apitoken"] is JsonValue t && t.TryGetValue<string>(out var tokenText) ? tokenText : null;
        var name = body["name"] is JsonValue n && n.TryGetValue<string>(out var nameText) ? nameText : null;
        var test = body["test"] is JsonValue f && f.TryGetValue<bool>(out var testFlag) && testFlag;
        int? maxBatches = null;
        if (body["max_batches"] is JsonValue m)
        {
            if (!m.TryGetValue<int>(out var cap) || cap < 0)
            {
                return BadRequest("max_batches must be a non-negative integer or null");
            }

            maxBatches = cap;
        }

        int[] queries = [0];
        if (body["queries"] is JsonArray list)
        {
            queries = [.. list.Select(q => q is JsonValue v && v.TryGetValue<int>(out var id) ? id : -1)];
            if (queries.Any(q => q != 0))
            {
                return BadRequest("only query 0 exists in the 2025 challenge");
            }
        }

        var now = clock.NowNs;
        if (options.OnlineRules)
        {
            if (token is null || name is null || body["test"] is null || body.Any(p => !OnlineCreateFields.Contains(p.Key)))
            {
                return BadRequest("JSON should contain apitoken, name, and a test flag");
            }

            if (options.Tokens.Length > 0 && !options.Tokens.Contains(token))
            {
                return Results.Text("Invalid API token", statusCode: StatusCodes.Status403Forbidden);
            }

            if (store.All().FirstOrDefault(b => b.Record.Token == token && !b.Ended) is { } active)
            {
                return Results.Text($"Benchmark {active.Id} is active. Please end the benchmark.", statusCode: StatusCodes.Status412PreconditionFailed);
            }
        }
        else if (string.IsNullOrEmpty(token))
        {
            return BadRequest("apitoken is required (the Local Challenger accepts any token)");
        }

        var id = options.OnlineRules ? BenchIds.NewObjectId(BenchClock.ToDateTime(now)) : BenchIds.NewUlid(BenchClock.ToDateTime(now));
        var limit = Math.Min(maxBatches ?? int.MaxValue, dataSet.Count);
        store.Create(new BenchRecord
        {
            Id = id,
            Name = name ?? "",
            Token = token,
            Test = test,
            Queries = queries,
            MaxBatches = maxBatches,
            Limit = limit,
            DataSet = dataSet.Description,
            CreatedNs = now,
        });
        logger.LogInformation("created benchmark {Bench} ({Name}) for {Client}: {Limit} batches", id, name, request.HttpContext.Connection.RemoteIpAddress, limit);
        return Results.Json(id);
    }

    public IResult Start(string benchId)
    {
        var bench = store.Find(benchId);
        if (bench is null)
        {
            return NotFound(benchId);
        }

        long started;
        lock (bench.Gate)
        {
            if (bench.Ended)
            {
                return Results.Text($"Benchmark {benchId} has ended", statusCode: StatusCodes.Status412PreconditionFailed);
            }

            if (!bench.Started)
            {
                bench.Start(clock.NowNs);
            }

            started = bench.Record.StartedNs;
        }

        return options.OnlineRules
            ? Results.Json(new JsonObject { ["bench_id"] = benchId, ["start_time"] = started })
            : Results.Ok();
    }

    /// <summary>Writes the next batch: the msgpack prefix, then the TIFF file as it is on disk.</summary>
    public async Task NextBatchAsync(HttpContext context, string benchId)
    {
        var response = context.Response;
        var bench = store.Find(benchId);
        if (bench is null)
        {
            await WriteTextAsync(response, StatusCodes.Status404NotFound, $"Benchmark {benchId} not found").ConfigureAwait(false);
            return;
        }

        int index;
        lock (bench.Gate)
        {
            if (!bench.Started)
            {
                index = -2;
            }
            else
            {
                index = bench.Ended ? -1 : bench.TakeNext();
            }
        }

        if (index == -2)
        {
            await WriteTextAsync(response, StatusCodes.Status412PreconditionFailed, "Benchmark is deactivated: call /api/start first").ConfigureAwait(false);
            return;
        }

        if (index == -1)
        {
            // End of stream: 404 with an empty body, as the original.
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var entry = dataSet[index];
        var path = await dataSet.GetTiffPathAsync(index, context.RequestAborted).ConfigureAwait(false);
        using var tiff = File.OpenHandle(path);
        var length = RandomAccess.GetLength(tiff);
        var prefix = new ArrayBufferWriter<byte>(96);
        BatchCodec.WritePrefix(prefix, index, entry.PrintId, entry.TileId, entry.Layer, (int)length);
        lock (bench.Gate)
        {
            bench.MarkServed(index, clock.NowNs);
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/msgpack";
        response.ContentLength = prefix.WrittenCount + length;
        // Headers first: Kestrel then hands out its output pipe's own memory, while body bytes written before the
        // headers are buffered apart and copied once more behind them.
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        var body = response.BodyWriter;
        body.Write(prefix.WrittenSpan);
        await CopyFileAsync(tiff, length, body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the tile straight into the response pipe, a chunk at a time. Kestrel's SendFileAsync reads through
    /// an async FileStream, which on Linux is a synchronous read handed to another thread-pool thread for every
    /// chunk, and copies each chunk once more into the pipe; the tiles are in the page cache (they were just
    /// written, or are read again every run), so reading them on this thread costs a memory copy and no hand-off.
    /// Flushing once per mebibyte rather than per chunk wakes Kestrel's sending loop once for a whole tile.
    /// </summary>
    private static async Task CopyFileAsync(SafeFileHandle file, long length, PipeWriter body, CancellationToken cancellationToken)
    {
        const int Chunk = 1 << 16;
        const int FlushEvery = 1 << 20;
        var unflushed = 0;
        for (long offset = 0; offset < length;)
        {
            var span = body.GetSpan(Chunk);
            var read = RandomAccess.Read(file, span[..(int)Math.Min(span.Length, length - offset)], offset);
            if (read == 0)
            {
                throw new IOException($"the tile file became shorter while it was sent ({offset} of {length} bytes)");
            }

            body.Advance(read);
            offset += read;
            unflushed += read;
            if (unflushed >= FlushEvery || offset == length)
            {
                await body.FlushAsync(cancellationToken).ConfigureAwait(false);
                unflushed = 0;
            }
        }
    }

    public async Task<IResult> ResultAsync(HttpRequest request, string query, string benchId, string batchText)
    {
        var received = clock.NowNs;
        var bench = store.Find(benchId);
        if (bench is null)
        {
            return NotFound(benchId);
        }

        if (query != "0")
        {
            return BadRequest($"query {query} does not exist: the 2025 challenge has query 0 only");
        }

        if (!int.TryParse(batchText, NumberStyles.None, CultureInfo.InvariantCulture, out var batch))
        {
            return BadRequest($"batch id '{batchText}' is not a non-negative integer");
        }

        var body = await ReadBodyAsync(request).ConfigureAwait(false);
        lock (bench.Gate)
        {
            if (bench.Ended)
            {
                return Results.Text($"Benchmark {benchId} has ended; results after /end are not counted", statusCode: StatusCodes.Status412PreconditionFailed);
            }

            if (!bench.WasServed(batch))
            {
                return BadRequest($"batch {batch} has not been served in benchmark {benchId}");
            }

            if (!bench.AddResult(batch, received, body))
            {
                logger.LogDebug("benchmark {Bench}: second result for batch {Batch} ignored", benchId, batch);
            }
        }

        return options.OnlineRules
            ? Results.Json(new JsonObject { ["bench_id"] = benchId, ["batch_number"] = batch, ["query"] = 0, ["timestamp"] = received })
            : Results.Json(new JsonObject { ["timestamp"] = BenchClock.ToDateTime(received).ToString("O", CultureInfo.InvariantCulture) });
    }

    public IResult End(string benchId)
    {
        var bench = store.Find(benchId);
        if (bench is null)
        {
            return NotFound(benchId);
        }

        BenchMetrics metrics;
        lock (bench.Gate)
        {
            metrics = bench.End(clock.NowNs);
        }

        logger.LogInformation(
            "benchmark {Bench} ended: {Count} batches, {Missing} missing, {Throughput:F1} batches/s, p99 {P99}",
            benchId, metrics.Count, metrics.Missing, metrics.Throughput, DurationText.Format(metrics.LatencyP99Ns));
        if (options.OnlineRules)
        {
            return Results.Ok();
        }

        return Results.Json(new JsonObject { ["0"] = MetricsJson(metrics) });
    }

    public IResult History()
    {
        var now = clock.NowNs;
        var runs = new JsonArray();
        foreach (var bench in store.All())
        {
            JsonObject run;
            lock (bench.Gate)
            {
                var record = bench.Record;
                var metrics = bench.Metrics(now);
                run = MetricsJson(metrics);
                run["bench_id"] = record.Id;
                run["name"] = record.Name;
                run["test"] = record.Test;
                run["state"] = bench.Ended ? "ended" : bench.Started ? "running" : "created";
                run["created"] = BenchClock.ToDateTime(record.CreatedNs).ToString("O", CultureInfo.InvariantCulture);
                run["results"] = bench.Results;
                run["limit"] = record.Limit;
                if (options.OnlineRules && bench.Ended)
                {
                    run["platform"] = PlatformJson(metrics.Platform);
                }
            }

            runs.Add(run);
        }

        return Results.Json(runs);
    }

    public IResult GetResult(string query, string benchId, string batchText)
    {
        var bench = store.Find(benchId);
        if (bench is null || query != "0" || !int.TryParse(batchText, NumberStyles.None, CultureInfo.InvariantCulture, out var batch))
        {
            return Results.NotFound();
        }

        byte[]? result;
        lock (bench.Gate)
        {
            result = bench.ResultOf(batch);
        }

        return result is null ? Results.NotFound() : Results.Bytes(result, "application/octet-stream");
    }

    private static JsonObject MetricsJson(BenchMetrics metrics) => new()
    {
        ["count"] = metrics.Count,
        ["missing"] = metrics.Missing,
        ["throughput"] = metrics.Throughput,
        ["latency_mean"] = DurationText.Format(metrics.LatencyMeanNs),
        ["latency_min"] = DurationText.Format(metrics.LatencyMinNs),
        ["latency_max"] = DurationText.Format(metrics.LatencyMaxNs),
        ["latency_p99"] = DurationText.Format(metrics.LatencyP99Ns),
    };

    /// <summary>The document the online platform stores at /end (its field names; latencies in nanoseconds).</summary>
    private static JsonObject PlatformJson(PlatformMetrics metrics) => new()
    {
        ["q0"] = new JsonObject
        {
            ["min"] = metrics.MinNs,
            ["p25"] = metrics.P25Ns,
            ["p50"] = metrics.P50Ns,
            ["p75"] = metrics.P75Ns,
            ["p90"] = metrics.P90Ns,
            ["max"] = metrics.MaxNs,
            ["count"] = metrics.Count,
            ["throughput"] = metrics.Throughput,
        },
        ["runtime_ns"] = metrics.RuntimeNs,
        ["runtime_sec"] = metrics.RuntimeSeconds,
    };

    /// <summary>Error answers are plain text, as the original's (a JSON string would quote them).</summary>
    private static IResult BadRequest(string text) => Results.Text(text, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound(string benchId) => Results.Text($"Benchmark {benchId} not found", statusCode: StatusCodes.Status404NotFound);

    private static async Task WriteTextAsync(HttpResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(text).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        var buffer = new MemoryStream(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength : 256);
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
