using Weir.Pipelines.PlantSync;

namespace Weir.PlantSync.Tests;

/// <summary>A publisher that keeps what it was given, and can be told to fail before or after "Kafka" acknowledged.</summary>
internal sealed class RecordingPublisher : IChangePublisher
{
    private readonly List<OutboxEvent> _published = [];

    /// <summary>Fail the next call without publishing anything (Kafka unreachable).</summary>
    public bool FailBeforePublishing { get; set; }

    /// <summary>Publish the next batch, then fail (the process dies after Kafka acknowledged, before the outbox is marked).</summary>
    public bool CrashAfterPublishing { get; set; }

    public IReadOnlyList<OutboxEvent> Published
    {
        get
        {
            lock (_published)
            {
                return [.. _published];
            }
        }
    }

    public Task PublishAsync(IReadOnlyList<OutboxEvent> events, CancellationToken cancellationToken)
    {
        if (FailBeforePublishing)
        {
            FailBeforePublishing = false;
            throw new InvalidOperationException("broker unreachable");
        }

        lock (_published)
        {
            _published.AddRange(events);
        }

        if (CrashAfterPublishing)
        {
            CrashAfterPublishing = false;
            throw new InvalidOperationException("crashed after publishing");
        }

        return Task.CompletedTask;
    }
}
