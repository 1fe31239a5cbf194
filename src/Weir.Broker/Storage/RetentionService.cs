using Microsoft.Extensions.Logging;

namespace Weir.Broker.Storage;

/// <summary>
/// Applies retention.ms and retention.bytes every check interval. Removed segments are closed and deleted a
/// little later (Kafka's file.delete.delay.ms), so a fetch that is reading one at that moment still completes.
/// </summary>
internal sealed class RetentionService : IAsyncDisposable
{
    private static readonly TimeSpan DeleteDelay = TimeSpan.FromSeconds(30);

    private readonly TopicStore _topics;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(LogSegment Segment, long DeleteAtMs)> _doomed = [];
    private readonly Task _loop;

    public RetentionService(TopicStore topics, TimeSpan interval, TimeProvider time, ILogger log)
    {
        _topics = topics;
        _interval = interval;
        _time = time;
        _log = log;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>One retention pass (the loop calls it; tests call it directly). Returns the segments removed.</summary>
    public int RunOnce()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var removed = 0;
        foreach (var topic in _topics.All)
        {
            foreach (var partition in topic.Partitions)
            {
                foreach (var segment in partition.ApplyRetention(now))
                {
                    lock (_doomed)
                    {
                        _doomed.Add((segment, now + (long)DeleteDelay.TotalMilliseconds));
                    }

                    removed++;
                }
            }
        }

        DeleteDue(now, all: false);
        return removed;
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

        DeleteDue(long.MaxValue, all: true);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(_interval, _time, _stop.Token).ConfigureAwait(false);
            try
            {
                RunOnce();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                _log.LogError(error, "retention pass failed; will retry");
            }
        }
    }

    private void DeleteDue(long nowMs, bool all)
    {
        List<LogSegment> due = [];
        lock (_doomed)
        {
            for (var i = _doomed.Count - 1; i >= 0; i--)
            {
                if (all || _doomed[i].DeleteAtMs <= nowMs)
                {
                    due.Add(_doomed[i].Segment);
                    _doomed.RemoveAt(i);
                }
            }
        }

        foreach (var segment in due)
        {
            segment.Dispose();
            try
            {
                segment.DeleteFiles();
            }
            catch (DirectoryNotFoundException)
            {
                // The whole topic was deleted meanwhile.
            }
            catch (IOException error)
            {
                _log.LogWarning(error, "could not delete {Segment}", segment.LogPath);
            }
        }
    }
}
