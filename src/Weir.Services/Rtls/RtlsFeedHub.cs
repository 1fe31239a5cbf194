using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Weir.Services.Rtls;

/// <summary>One event of the live feed: a position (out_data) or a liveness change (out_alive), as its raw JSON.</summary>
/// <param name="Kind">"position" or "alive" (the SSE event name).</param>
/// <param name="Subject">The tag id (positions) or the anchor id (liveness): what clients filter on.</param>
internal readonly record struct FeedEvent(string Kind, string Subject, string Json);

/// <summary>
/// Fans feed events out to connected browsers. Each client has a bounded queue that drops its oldest events when
/// the client is slow (a position is stale once a newer one exists), so one slow browser never holds back the feed.
/// Keeps the latest position of each tag and the anchors' liveness for clients that connect later.
/// </summary>
internal sealed class RtlsFeedHub
{
    private const int ClientQueue = 1_000;
    private readonly ConcurrentDictionary<Guid, (string? Tag, Channel<FeedEvent> Queue)> _clients = new();
    private readonly ConcurrentDictionary<string, FeedEvent> _latest = new(StringComparer.Ordinal);

    public int Clients => _clients.Count;

    public long Published { get; private set; }

    /// <summary>The latest event per tag and per anchor (tags first), for a client's first screen.</summary>
    public IReadOnlyList<FeedEvent> Snapshot(string? tag) =>
        _latest.Values.Where(e => tag is null || (e.Kind == "position" ? e.Subject == tag : true))
            .OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Subject, StringComparer.Ordinal).ToList();

    public void Publish(FeedEvent feedEvent)
    {
        Published++;
        _latest[$"{feedEvent.Kind}/{feedEvent.Subject}"] = feedEvent;
        foreach (var (_, (tag, queue)) in _clients)
        {
            // A tag's subscriber sees its positions and every anchor's liveness (which affects all tags).
            if (tag is null || feedEvent.Kind != "position" || feedEvent.Subject == tag)
            {
                queue.Writer.TryWrite(feedEvent);
            }
        }
    }

    /// <summary>A client's stream of events; dispose the subscription to leave.</summary>
    public Subscription Subscribe(string? tag)
    {
        var id = Guid.NewGuid();
        var queue = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(ClientQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _clients[id] = (tag, queue);
        return new Subscription(this, id, queue.Reader);
    }

    internal sealed class Subscription(RtlsFeedHub hub, Guid id, ChannelReader<FeedEvent> events) : IDisposable
    {
        public ChannelReader<FeedEvent> Events { get; } = events;

        public void Dispose() => hub._clients.TryRemove(id, out _);
    }
}
