using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Connectors.Kafka;

/// <summary>
/// One Kafka producer per job and producer settings, shared by every sink writer (every sink, every subtask)
/// that asks with the same settings. A librdkafka producer is thread-safe and costs three threads and its own
/// connections; a job with three sinks at parallelism 2 would otherwise run six of them, each sending its own
/// small produce request for what one request can carry (the LPBF job writes results, saturated-pixels and
/// saturated-rank for every batch). A writer's flush waits for the shared producer's other records too, which a
/// checkpoint needs anyway. The producer is disposed when the last writer lets it go.
/// </summary>
internal static class SharedKafkaProducers
{
    private static readonly Dictionary<string, Shared> Producers = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static Lease Acquire(string jobName, ProducerConfig config, ILogger logger)
    {
        var key = jobName + "\n" + string.Join("\n", config.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        lock (Gate)
        {
            if (!Producers.TryGetValue(key, out var shared))
            {
                var settings = new ProducerConfig(config.ToDictionary(kv => kv.Key, kv => kv.Value)) { ClientId = $"weir-{jobName}-sinks" };
                var producer = new ProducerBuilder<byte[]?, byte[]>(settings)
                    .SetErrorHandler((_, error) => logger.LogWarning("kafka sinks of job {Job}: {Reason}", jobName, error.Reason))
                    .Build();
                shared = new Shared(key, producer);
                Producers.Add(key, shared);
            }

            shared.Users++;
            return new Lease(shared);
        }
    }

    private static void Release(Shared shared)
    {
        lock (Gate)
        {
            if (--shared.Users > 0)
            {
                return;
            }

            Producers.Remove(shared.Key);
        }

        shared.Producer.Dispose();
    }

    /// <summary>One writer's hold on a shared producer; disposing it lets the producer go.</summary>
    internal sealed class Lease(Shared shared) : IDisposable
    {
        private int _released;

        public IProducer<byte[]?, byte[]> Producer => shared.Producer;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Release(shared);
            }
        }
    }

    internal sealed class Shared(string key, IProducer<byte[]?, byte[]> producer)
    {
        public string Key { get; } = key;

        public IProducer<byte[]?, byte[]> Producer { get; } = producer;

        public int Users { get; set; }
    }
}
