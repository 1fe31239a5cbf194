using Microsoft.Extensions.Logging;

namespace Weir.Broker.Storage;

/// <summary>
/// Puts appended data on disk according to the fsync policy. <see cref="FsyncPolicy.Always"/> is a group commit:
/// producers wait for the next flush cycle, and every append that arrives while one fsync runs shares the
/// following one. <see cref="FsyncPolicy.Interval"/> flushes every N ms in the background and producers never
/// wait. <see cref="FsyncPolicy.Never"/> leaves it to the operating system (segments are still flushed when
/// they roll and when the broker stops).
/// </summary>
internal sealed class LogFlusher : IAsyncDisposable
{
    private readonly TopicStore _topics;
    private readonly List<IFlushable> _others = [];
    private readonly FsyncPolicy _policy;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wakeup = new(0);
    private readonly Task _loop;
    private TaskCompletionSource _nextCycle = NewCycle();

    public LogFlusher(TopicStore topics, FsyncPolicy policy, TimeSpan interval, TimeProvider time, ILogger log)
    {
        _topics = topics;
        _policy = policy;
        _interval = interval;
        _time = time;
        _log = log;
        _loop = policy switch
        {
            FsyncPolicy.Always => Task.Run(GroupCommitLoopAsync),
            FsyncPolicy.Interval => Task.Run(IntervalLoopAsync),
            _ => Task.CompletedTask,
        };
    }

    /// <summary>Adds another store (committed offsets, producer state) to every flush.</summary>
    public void Add(IFlushable store)
    {
        lock (_others)
        {
            _others.Add(store);
        }
    }

    /// <summary>True when producers must wait for <see cref="WhenFlushedAsync"/> before they are acknowledged.</summary>
    public bool AcksWaitForDisk => _policy == FsyncPolicy.Always;

    /// <summary>Completes after a flush that started after this call, so everything appended before it is on disk.</summary>
    public Task WhenFlushedAsync()
    {
        var cycle = Volatile.Read(ref _nextCycle).Task;
        if (_wakeup.CurrentCount == 0)
        {
            _wakeup.Release();
        }

        return cycle;
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

        Volatile.Read(ref _nextCycle).TrySetException(new ObjectDisposedException(nameof(LogFlusher)));
        _stop.Dispose();
        _wakeup.Dispose();
    }

    private static TaskCompletionSource NewCycle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task GroupCommitLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _wakeup.WaitAsync(_stop.Token).ConfigureAwait(false);
            var cycle = Interlocked.Exchange(ref _nextCycle, NewCycle());
            try
            {
                FlushAll();
                cycle.TrySetResult();
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                _log.LogError(error, "fsync failed; producers waiting for it get an error");
                cycle.TrySetException(error);
            }
        }
    }

    private async Task IntervalLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(_interval, _time, _stop.Token).ConfigureAwait(false);
            try
            {
                FlushAll();
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                _log.LogError(error, "periodic fsync failed; will retry");
            }
        }
    }

    private void FlushAll()
    {
        lock (_others)
        {
            foreach (var store in _others)
            {
                store.Flush();
            }
        }

        foreach (var topic in _topics.All)
        {
            foreach (var partition in topic.Partitions)
            {
                try
                {
                    partition.Flush();
                }
                catch (ObjectDisposedException)
                {
                    // The topic was deleted while we flushed it.
                }
            }
        }
    }
}
