namespace Weir.Broker.Storage;

/// <summary>
/// Keeps each partition's share of the OS page cache to the newest <see cref="BrokerOptions.PageCacheWindowBytes"/>
/// of its log (see there for why), a few times a second. Pages of the window's older side that are still dirty
/// are queued for writeback by the first advice and dropped by the next, whatever the fsync policy.
/// </summary>
internal sealed class PageCacheTrimmer : IAsyncDisposable
{
    // Often enough that pages freed at the window's edge are taken again by the next writes before the OS
    // reclaims or (on a VM) reports them; a pass costs a syscall or two per partition that grew, none for the rest.
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    private readonly TopicStore _topics;
    private readonly long _windowBytes;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PageCacheTrimmer(TopicStore topics, long windowBytes, TimeProvider time)
    {
        _topics = topics;
        _windowBytes = windowBytes;
        _time = time;
        _loop = Task.Run(LoopAsync);
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
            RunOnce();
        }
    }

    private void RunOnce()
    {
        foreach (var topic in _topics.All)
        {
            foreach (var partition in topic.Partitions)
            {
                partition.TrimPageCache(_windowBytes);
            }
        }
    }
}
