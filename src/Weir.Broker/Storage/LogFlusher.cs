using Microsoft.Extensions.Logging;

namespace Weir.Broker.Storage;

/// <summary>
/// Puts appended data on disk according to the fsync policy. <see cref="FsyncPolicy.Always"/> is a group commit:
/// producers wait for the next flush cycle, and every append that arrives while one fsync runs shares the
/// following one. <see cref="FsyncPolicy.Interval"/> flushes every N ms in the background and producers never
/// wait. <see cref="FsyncPolicy.Never"/> leaves it to the operating system (segments are still flushed when
/// they roll and when the broker stops). The fsyncs run on a thread of their own: an fsync blocks for as long as
/// the disk takes, and on the thread pool it would hold a thread that the broker's network loops need.
/// </summary>
internal sealed class LogFlusher : IAsyncDisposable
{
    private readonly TopicStore _topics;
    private readonly List<IFlushable> _others = [];
    private readonly FsyncPolicy _policy;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wakeup = new(0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _timer;
    private TaskCompletionSource _nextCycle = NewCycle();

    public LogFlusher(TopicStore topics, FsyncPolicy policy, TimeSpan interval, TimeProvider time, ILogger log)
    {
        _topics = topics;
        _policy = policy;
        _log = log;
        if (policy is not (FsyncPolicy.Always or FsyncPolicy.Interval))
        {
            _stopped.SetResult();
            return;
        }

        new Thread(Run) { IsBackground = true, Name = "weir:broker:log-flusher" }.Start();
        if (policy == FsyncPolicy.Interval)
        {
            _timer = time.CreateTimer(_ => Wake(), null, interval, interval);
        }
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
        Wake();
        return cycle;
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _stopped.Task.ConfigureAwait(false); // the flush under way, if any, finishes first
        Volatile.Read(ref _nextCycle).TrySetException(new ObjectDisposedException(nameof(LogFlusher)));
        _stop.Dispose();
        _wakeup.Dispose();
    }

    private static TaskCompletionSource NewCycle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks for one more flush; requests made before it starts are all served by it.</summary>
    private void Wake()
    {
        if (_wakeup.CurrentCount == 0)
        {
            _wakeup.Release();
        }
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _wakeup.Wait(_stop.Token);
                var cycle = Interlocked.Exchange(ref _nextCycle, NewCycle());
                try
                {
                    FlushAll();
                    cycle.TrySetResult();
                }
                catch (Exception error)
                {
                    // Whatever went wrong, this thread must go on: producers waiting for this cycle get the error,
                    // and the next cycle tries again.
                    _log.LogError(error, _policy == FsyncPolicy.Always ? "fsync failed; producers waiting for it get an error" : "periodic fsync failed; will retry");
                    cycle.TrySetException(error);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            _stopped.TrySetResult();
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
