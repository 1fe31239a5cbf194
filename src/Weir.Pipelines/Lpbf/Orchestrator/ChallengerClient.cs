using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Weir.Pipelines.Lpbf.Orchestrator;

/// <summary>
/// A client of the challenge's REST API (the Local Challenger, Weir's emulator or the online platform): the base
/// URL without /api, as the organisers' clients take it.
/// </summary>
internal sealed class ChallengerClient : IDisposable
{
    private readonly HttpClient _http;

    public ChallengerClient(Uri baseUrl)
    {
        var root = baseUrl.ToString().TrimEnd('/');
        if (root.EndsWith("/api", StringComparison.Ordinal))
        {
            root = root[..^4]; // a common mistake: the clients append /api themselves
        }

        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 16 })
        {
            BaseAddress = new Uri(root + "/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>
    /// Creates a benchmark. <paramref name="maxBatches"/> is sent only when set, and dropped again when the server
    /// refuses it with a 400 (the online platform accepts exactly apitoken, name and test; the caller then stops
    /// fetching at the limit itself).
    /// </summary>
    public async Task<string> CreateAsync(string token, string name, bool test, int? maxBatches, CancellationToken cancellationToken)
    {
        var response = await _http.PostAsJsonAsync("api/create", CreateBody(token, name, test, maxBatches), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest && maxBatches is not null)
        {
            response.Dispose();
            response = await _http.PostAsJsonAsync("api/create", CreateBody(token, name, test, null), cancellationToken).ConfigureAwait(false);
        }

        using var answer = response;
        await EnsureAsync(response, "create a benchmark", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<string>(cancellationToken).ConfigureAwait(false)
            ?? throw new ChallengerException("create answered no benchmark id");
    }

    private static object CreateBody(string token, string name, bool test, int? maxBatches) => maxBatches is { } cap
        ? new { apitoken = token, name, test, max_batches = cap }
        : new { apitoken = token, name, test };

    public async Task StartAsync(string benchId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"api/start/{benchId}", null, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "start the benchmark", cancellationToken).ConfigureAwait(false);
    }

    private const long MaxBatchBytes = 64 << 20;

    /// <summary>The next batch's msgpack bytes, or null at the end of the stream (404).</summary>
    public async Task<byte[]?> NextBatchAsync(string benchId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"api/next_batch/{benchId}", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(response, "fetch a batch", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is not { } length || length > MaxBatchBytes)
        {
            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        // A batch is a few hundred KiB: read it straight from the socket into one array of its exact size,
        // skipping the growing pooled buffer and the copy out of it that ReadAsByteArrayAsync makes.
        var body = GC.AllocateUninitializedArray<byte>((int)length);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        }

        return body;
    }

    /// <summary>
    /// Posts one result and waits for the answer on the calling thread. The orchestrator posts from a thread of its
    /// own, which also blocks in the results consumer; being synchronous end to end keeps both waits off the
    /// thread pool, where the broker and the emulator of the same process do their work.
    /// </summary>
    public void PostResult(string benchId, long batchId, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/result/0/{benchId}/{batchId}") { Content = new ReadOnlyMemoryContent(result) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/msgpack");
        using var response = _http.Send(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using var text = new StreamReader(response.Content.ReadAsStream(cancellationToken));
            throw Refused($"post the result of batch {batchId}", response, text.ReadToEnd());
        }
    }

    /// <summary>Ends the benchmark and returns the server's answer (the metrics JSON locally, empty online).</summary>
    public async Task<string> EndAsync(string benchId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"api/end/{benchId}", null, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "end the benchmark", cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw Refused(what, response, text);
        }
    }

    private static ChallengerException Refused(string what, HttpResponseMessage response, string text) =>
        new($"the challenger refused to {what}: {(int)response.StatusCode} {text}".TrimEnd());
}

/// <summary>The challenger answered with an error status; the message has its status and text.</summary>
internal sealed class ChallengerException(string message) : Exception(message);
