using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Services.Factory;
using Weir.Services.Hosting;

namespace Weir.Factory.Tests;

/// <summary>
/// A streaming API that misbehaves on purpose: it cuts the connection after <c>dropAfter</c> records on the first
/// <c>drops</c> requests, can ignore <c>?offset</c> as the original Flask app does, and can refuse service (503).
/// It records the offset each request asked for.
/// </summary>
internal sealed class FlakyStreamServer : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, StreamSource> _sources;
    private readonly int _dropAfter;
    private readonly bool _honourOffset;
    private int _dropsLeft;
    private WebService? _service;

    public FlakyStreamServer(IReadOnlyDictionary<string, StreamSource> sources, int dropAfter, int drops, bool honourOffset)
    {
        _sources = sources;
        _dropAfter = dropAfter;
        _dropsLeft = drops;
        _honourOffset = honourOffset;
    }

    public Uri Address => _service!.Address;

    public List<long> RequestedOffsets { get; } = [];

    /// <summary>Answer 503 to every request from now on.</summary>
    public bool Unavailable { get; set; }

    public async Task StartAsync()
    {
        _service = await WebService.StartAsync("flaky", "127.0.0.1:0", NullLoggerFactory.Instance, null,
            app => app.MapGet("/stream_data_{name}", (HttpContext http, string name, long? offset) => ServeAsync(http, name, offset ?? 0)),
            CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    private async Task ServeAsync(HttpContext http, string name, long offset)
    {
        lock (RequestedOffsets)
        {
            RequestedOffsets.Add(offset);
        }

        if (Unavailable)
        {
            http.Response.StatusCode = 503;
            return;
        }

        var lines = _sources[name].Lines;
        var start = _honourOffset ? (int)Math.Min(offset, lines.Count) : 0;
        if (_honourOffset)
        {
            http.Response.Headers[FactoryStreamingApi.OffsetHeader] = start.ToString(CultureInfo.InvariantCulture);
        }

        var drop = Interlocked.Decrement(ref _dropsLeft) >= 0;
        await http.Response.StartAsync();
        var sent = 0;
        for (var i = start; i < lines.Count; i++)
        {
            if (drop && sent == _dropAfter)
            {
                await http.Response.Body.FlushAsync();
                // Let the client read what was sent (an abort resets the connection, and a reset discards unread data),
                // then break the connection mid-stream: no end of the chunked body.
                await Task.Delay(300);
                http.Abort();
                return;
            }

            await http.Response.Body.WriteAsync(lines[i]);
            sent++;
        }
    }
}
