using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.PlantSync;

/// <summary>Publishes outbox events to Kafka.</summary>
internal interface IChangePublisher
{
    /// <summary>
    /// Publishes <paramref name="events"/> in order and completes when Kafka acknowledged every one; throws when any
    /// could not be published (the caller then publishes them again: duplicates are harmless downstream).
    /// </summary>
    Task PublishAsync(IReadOnlyList<OutboxEvent> events, CancellationToken cancellationToken);
}

internal sealed class OutboxRelayOptions
{
    /// <summary>Events read and published per round.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How often the relay looks for events when no write wakes it (writes through the store wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long published events stay in the outbox table before they are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Moves the outbox to Kafka: reads unsent events in sequence order, publishes them, waits for the acknowledgements,
/// then marks exactly those events sent. A crash between publishing and marking re-publishes them after restart
/// (at-least-once); nothing is marked sent before Kafka holds it, so nothing is lost.
/// </summary>
internal sealed class OutboxRelay(Outbox outbox, IChangePublisher publisher, TimeProvider time, ILogger logger, OutboxRelayOptions? options = null)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private readonly OutboxRelayOptions _options = options ?? new OutboxRelayOptions();
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Events published since start.</summary>
    public long Published => Interlocked.Read(ref _published);

    private long _published;

    /// <summary>Wakes the relay now (called after a write commits).</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken; one wake-up covers any number of writes.
        }
    }

    /// <summary>Publishes one batch of unsent events; returns how many.</summary>
    public async Task<int> RelayOnceAsync(CancellationToken cancellationToken)
    {
        var events = await outbox.ReadUnsentAsync(_options.BatchSize, cancellationToken).ConfigureAwait(false);
        if (events.Count == 0)
        {
            return 0;
        }

        await publisher.PublishAsync(events, cancellationToken).ConfigureAwait(false);
        await outbox.MarkSentAsync(events, PlantTime.NowMicros(time), cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref _published, events.Count);
        return events.Count;
    }

    /// <summary>Relays until cancelled. Failures (Kafka or database unavailable) are logged and retried with back-off.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        var nextPrune = time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var count = await RelayOnceAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(250);
                if (time.GetUtcNow() >= nextPrune)
                {
                    var cutoff = PlantTime.NowMicros(time) - (long)_options.Retention.TotalMicroseconds;
                    var pruned = await outbox.PruneAsync(cutoff, cancellationToken).ConfigureAwait(false);
                    if (pruned > 0)
                    {
                        logger.LogDebug("Pruned {Count} published outbox events", pruned);
                    }

                    nextPrune = time.GetUtcNow() + PruneEvery;
                }

                if (count < _options.BatchSize)
                {
                    await _wake.WaitAsync(_options.PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                logger.LogWarning("Outbox relay: {Error}; retrying in {Backoff}", error.Message, backoff);
                try
                {
                    await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
