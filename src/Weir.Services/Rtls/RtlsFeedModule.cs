using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Weir.Pipelines.Rtls;
using Weir.Services.Http;

namespace Weir.Services.Rtls;

/// <summary>
/// The live position feed in the Weir HTTP host (what the original's Node bridge served over Socket.IO):
/// <c>/rtls/events</c> is a Server-Sent-Events stream of <c>position</c> events (the out_data JSON) and
/// <c>alive</c> events (the out_alive JSON); <c>?tag=ID</c> narrows positions to one tag (the original emitted one
/// Socket.IO event per tag id). <c>/rtls</c> is a page that draws anchors and tags from it, <c>/rtls/anchors</c>
/// the anchors, <c>/rtls/latest</c> the last event per tag and anchor.
/// </summary>
internal sealed class RtlsFeedModule(RtlsFeedHub hub, Func<AnchorMap> anchors, TimeSpan? keepAlive = null) : IEndpointModule
{
    private readonly TimeSpan _keepAlive = keepAlive ?? TimeSpan.FromSeconds(15);

    public IEnumerable<(string Path, string Description)> Links =>
    [
        ("/rtls", "RTLS: live map of tags and anchors"),
        ("/rtls/events", "RTLS: Server-Sent Events of positions and anchor liveness (?tag=ID for one tag)"),
    ];

    public void Map(WebApplication app)
    {
        app.MapGet("/rtls", () => Results.Content(RtlsPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/rtls/anchors", () => Results.Content(anchors().ToJson(), "application/json"));
        app.MapGet("/rtls/latest", (string? tag) => Results.Content(
            "[" + string.Join(",", hub.Snapshot(tag).Select(e => $"{{\"event\":\"{e.Kind}\",\"data\":{e.Json}}}")) + "]", "application/json"));
        app.MapGet("/rtls/events", StreamAsync);
    }

    private async Task StreamAsync(HttpContext http, string? tag)
    {
        var cancellation = http.RequestAborted;
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = hub.Subscribe(string.IsNullOrEmpty(tag) ? null : tag);
        var output = new StringBuilder();
        output.Append(CultureInfo.InvariantCulture, $"retry: 2000\nevent: anchors\ndata: {anchors().ToJson().ReplaceLineEndings("")}\n\n");
        foreach (var latest in hub.Snapshot(string.IsNullOrEmpty(tag) ? null : tag))
        {
            Append(output, latest);
        }

        try
        {
            await WriteAsync(http, output, cancellation).ConfigureAwait(false);
            var events = subscription.Events;
            while (!cancellation.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                wait.CancelAfter(_keepAlive);
                bool more;
                try
                {
                    more = await events.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    output.Append(": keep-alive\n\n"); // proxies and browsers drop silent connections
                    await WriteAsync(http, output, cancellation).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (events.TryRead(out var feedEvent))
                {
                    Append(output, feedEvent);
                }

                await WriteAsync(http, output, cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // the browser went away
        }
    }

    private static void Append(StringBuilder output, FeedEvent feedEvent) =>
        output.Append("event: ").Append(feedEvent.Kind).Append("\ndata: ").Append(feedEvent.Json).Append("\n\n");

    private static async Task WriteAsync(HttpContext http, StringBuilder output, CancellationToken cancellation)
    {
        await http.Response.WriteAsync(output.ToString(), cancellation).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
        output.Clear();
    }
}
