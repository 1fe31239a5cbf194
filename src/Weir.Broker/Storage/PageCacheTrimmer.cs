using Microsoft.Extensions.Logging;

namespace Weir.Broker.Storage;

/// <summary>
/// Keeps each partition's share of the OS page cache to the newest <see cref="BrokerOptions.PageCacheWindowBytes"/>
/// of its log (see there for why), a few times a second. Pages of the window's older side that are still dirty
/// are queued for writeback by the first advice and dropped by the next, whatever the fsync policy.
/// </summary>
internal sealed class PageCacheTrimmer : IAsyncDisposable
{
    // Often enough that pages freed at the window's edge are taken again by the next writes before the OS
    // reclaims or (on a VM) reports them; each pass costs one syscall per partition that grew.
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly TopicStore _topics;
    private readonly long _windowBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PageCacheTrimmer(TopicStore topics, long windowBytes, TimeProvider time, ILogger log)
    {
        _topics = topics;
        _windowBytes = windowBytes;
        _time = time;
        _log = log;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>One pass over every partition (the loop calls it; tests may call it directly).</summary>
    public void RunOnce()
    {
        foreach (var topic in _topics.All)
        {
            foreach (var partition in topic.Partitions)
            {
                partition.TrimPageCache(_windowBytes);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(Period, _time, _stop.Token).ConfigureAwait(false);
            try
            {
                RunOnce();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning(error, "page-cache trim failed; will retry");
            }
        }
    }
}
