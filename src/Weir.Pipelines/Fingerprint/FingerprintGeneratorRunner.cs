using Microsoft.Extensions.Logging;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Fingerprint;

/// <summary>Publishes the generator's ticks to Kafka on a schedule (live or backlog).</summary>
internal static class FingerprintGeneratorRunner
{
    /// <param name="keyed">Key each message by its equipment id (the original sent no key).</param>
    public static async Task<long> RunAsync(
        FingerprintGenerator generator,
        KafkaPublisher publisher,
        string topic,
        bool keyed,
        GeneratorSchedule schedule,
        TimeProvider clock,
        ILogger log,
        CancellationToken cancellationToken)
    {
        var lastReport = clock.GetTimestamp();
        var ticks = await schedule.RunAsync(clock, t =>
        {
            generator.Tick(t, (key, value) => publisher.Produce(topic, keyed ? key : null, value, t));
            if (clock.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = clock.GetTimestamp();
                log.LogDebug("{Messages} messages generated, up to {Time:O}", generator.Messages, DateTimeOffset.FromUnixTimeMilliseconds(t));
            }

            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        publisher.Flush(cancellationToken);
        return ticks;
    }
}
