using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Weir.Pipelines.Shared;

/// <summary>A topic a pipeline writes to, created when missing.</summary>
internal sealed record TopicSpec(string Name, int Partitions = 1, bool Compacted = false);

/// <summary>
/// The generators' and simulators' producer: asynchronous produce with a bounded local queue (a full queue
/// waits for deliveries instead of failing), delivery errors counted and reported at <see cref="Flush"/>, and
/// topics created when missing. Works against Weir's broker or any Kafka cluster.
/// </summary>
internal sealed class KafkaPublisher : IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly Action<DeliveryReport<byte[]?, byte[]>> _onDelivery;
    private long _delivered;
    private long _failed;
    private string? _firstError;

    public KafkaPublisher(string bootstrap, string clientId, bool throughput = false)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = clientId,
            Acks = Acks.All,
            EnableIdempotence = false,
            LingerMs = throughput ? 20 : 5,
            BatchSize = throughput ? 1_000_000 : 64_000,
            QueueBufferingMaxMessages = 500_000,
            MessageTimeoutMs = 30_000,
        };
        _producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstError, $"{report.Topic}: {report.Error.Reason}", null);
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        };
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    public static async Task EnsureTopicsAsync(string bootstrap, IEnumerable<TopicSpec> topics, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var wanted = topics.DistinctBy(t => t.Name).ToList();
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Where(t => !t.Error.IsError).Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.Where(t => !existing.Contains(t.Name)).Select(t => new TopicSpecification
        {
            Name = t.Name,
            NumPartitions = t.Partitions,
            ReplicationFactor = 1,
            Configs = t.Compacted ? new Dictionary<string, string> { ["cleanup.policy"] = "compact" } : null,
        }).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(missing).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException error) when (error.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another process created it meanwhile.
        }
    }

    /// <summary>Queues one record; waits (serving deliveries) while the local queue is full.</summary>
    public void Produce(string topic, byte[]? key, byte[] value, long timestampMs)
    {
        var message = new Message<byte[]?, byte[]> { Key = key, Value = value, Timestamp = new Timestamp(timestampMs, TimestampType.CreateTime) };
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, _onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    /// <summary>Waits until everything queued is delivered; throws when any record could not be.</summary>
    public void Flush(CancellationToken cancellationToken)
    {
        _producer.Flush(cancellationToken);
        if (Failed > 0)
        {
            throw new InvalidOperationException($"{Failed} records could not be delivered; first error: {_firstError}");
        }
    }

    public void Dispose() => _producer.Dispose();
}
