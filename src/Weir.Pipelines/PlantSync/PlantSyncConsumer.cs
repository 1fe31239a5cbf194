using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.PlantSync;

internal sealed class PlantSyncConsumerOptions
{
    public string Bootstrap { get; set; } = "127.0.0.1:9092";

    /// <summary>The original consumer's group: instances with the same group share the topics' partitions.</summary>
    public string GroupId { get; set; } = "pepper-potato-tomato-group";

    public string ClientId { get; set; } = "image-consumer";

    /// <summary>Most records applied in one database transaction.</summary>
    public int MaxBatch { get; set; } = 500;

    public string DeadLetterTopic { get; set; } = PlantTopics.DeadLetters;

    /// <summary>
    /// How long the group waits for a silent instance before giving its partitions to the others. Shorter than
    /// Kafka's 45 s default: a crashed consumer's records are then picked up within seconds.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 10_000;
}

/// <summary>
/// The consumer service's Kafka side: reads the plant topics in consumer group <c>pepper-potato-tomato-group</c>,
/// applies each batch of records to the replica in one transaction (an idempotent, version-guarded upsert), and only
/// then commits the batch's offsets. A crash replays at most the uncommitted batch, which the guard turns into no-ops;
/// a record that cannot be decoded goes to the dead-letter topic with the reason, and consumption goes on.
/// </summary>
internal sealed class PlantSyncConsumer(ReplicaWriter replica, PlantSyncConsumerOptions options, ILogger logger)
{
    private const string Job = "plant-sync";
    private long _applied;
    private long _stale;
    private long _deadLettered;

    /// <summary>Records written to the replica since start.</summary>
    public long AppliedCount => Interlocked.Read(ref _applied);

    /// <summary>Records that were older than (or the same as) what the replica held.</summary>
    public long StaleCount => Interlocked.Read(ref _stale);

    public long DeadLetterCount => Interlocked.Read(ref _deadLettered);

    /// <summary>Partitions currently assigned to this instance, for logs and tests.</summary>
    public IReadOnlyList<TopicPartition> Assignment { get; private set; } = [];

    /// <summary>Consumes until cancelled, on a thread of its own (the Kafka client's poll blocks).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Decodes one message: the topic names the plant, the value is the whole record; the key, when present, must
    /// name the same record ("{plant}-{id}" or the bare id). Throws <see cref="FormatException"/> with the reason.
    /// </summary>
    internal static PlantImage Decode(string topic, byte[]? key, byte[]? value)
    {
        if (!Plants.IsKnown(topic))
        {
            throw new FormatException($"topic '{topic}' is not a plant topic");
        }

        if (value is null || value.Length == 0)
        {
            throw new FormatException("the message has no value");
        }

        var image = PlantImageJson.Parse(value, topic);
        if (key is { Length: > 0 })
        {
            var text = Encoding.UTF8.GetString(key);
            if (text != Plants.Key(topic, image.Id) && text != image.Id.ToString(CultureInfo.InvariantCulture))
            {
                throw new FormatException($"the key '{text}' does not name record {topic}/{image.Id}");
            }
        }

        return image;
    }

    private void Run(CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.Bootstrap,
            GroupId = options.GroupId,
            ClientId = options.ClientId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            SessionTimeoutMs = options.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(500, options.SessionTimeoutMs / 5),
        };
        using var deadLetters = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = options.Bootstrap,
            ClientId = options.ClientId + "-dlq",
            Acks = Acks.All,
        }).Build();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                Assignment = partitions;
                logger.LogInformation("Assigned {Partitions}", string.Join(", ", partitions));
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                Assignment = [];
                logger.LogInformation("Revoked {Partitions}", string.Join(", ", partitions.Select(p => p.TopicPartition)));
            })
            .SetErrorHandler((_, error) => logger.LogWarning("Kafka: {Reason}", error.Reason))
            .Build();
        consumer.Subscribe(Plants.All.Select(Plants.Topic));
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(options.MaxBatch);
        var images = new List<PlantImage>(options.MaxBatch);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                batch.Clear();
                images.Clear();
                var first = consumer.Consume(TimeSpan.FromMilliseconds(250));
                if (first is null)
                {
                    continue;
                }

                // Whatever the client has already fetched joins the batch: one transaction, one commit.
                batch.Add(first);
                while (batch.Count < options.MaxBatch && consumer.Consume(TimeSpan.Zero) is { } next)
                {
                    batch.Add(next);
                }

                foreach (var message in batch)
                {
                    try
                    {
                        images.Add(Decode(message.Topic, message.Message.Key, message.Message.Value));
                    }
                    catch (FormatException error)
                    {
                        DeadLetter(deadLetters, message, error.Message);
                    }
                }

                Apply(images, cancellationToken);
                Commit(consumer, batch);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the last batch was either committed or will be replayed by whoever owns the partition next.
        }
        finally
        {
            consumer.Close();
        }
    }

    private void Apply(List<PlantImage> images, CancellationToken cancellationToken)
    {
        if (images.Count == 0)
        {
            return;
        }

        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var (applied, _) = replica.ApplyAsync(images, cancellationToken).GetAwaiter().GetResult();
                for (var i = 0; i < images.Count; i++)
                {
                    var outcome = applied[i] ? "applied" : "stale";
                    PlantSyncMetrics.ConsumerRecords.Add(1, PlantSyncMetrics.PlantTag(images[i].Plant), new("outcome", outcome));
                    Interlocked.Increment(ref applied[i] ? ref _applied : ref _stale);
                }

                return;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The database is unavailable or busy: nothing was committed, so the same batch is applied again.
                logger.LogWarning("Applying {Count} records failed: {Error}; retrying in {Backoff}", images.Count, error.Message, backoff);
                cancellationToken.WaitHandle.WaitOne(backoff);
                cancellationToken.ThrowIfCancellationRequested();
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, List<ConsumeResult<byte[]?, byte[]?>> batch)
    {
        var next = new Dictionary<TopicPartition, Offset>();
        foreach (var message in batch)
        {
            next[message.TopicPartition] = message.Offset + 1;
        }

        try
        {
            consumer.Commit(next.Select(p => new TopicPartitionOffset(p.Key, p.Value)));
        }
        catch (KafkaException error)
        {
            // Typically a rebalance took the partition away meanwhile: its new owner replays from the last committed
            // offset, and the version guard makes the replay harmless.
            logger.LogWarning("Committing offsets failed: {Reason}", error.Error.Reason);
        }
    }

    private void DeadLetter(IProducer<byte[]?, byte[]?> producer, ConsumeResult<byte[]?, byte[]?> message, string reason)
    {
        logger.LogWarning("Dead letter from {Topic}/{Partition}@{Offset}: {Reason}", message.Topic, message.Partition.Value, message.Offset.Value, reason);
        var headers = new Headers
        {
            { "weir.error", Encoding.UTF8.GetBytes(reason) },
            { "weir.stage", "decode"u8.ToArray() },
            { "weir.source.topic", Encoding.UTF8.GetBytes(message.Topic) },
            { "weir.source.partition", Encoding.UTF8.GetBytes(message.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { "weir.source.offset", Encoding.UTF8.GetBytes(message.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
            { "weir.source.timestamp", Encoding.UTF8.GetBytes(message.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture)) },
            { "weir.job", Encoding.UTF8.GetBytes(Job) },
        };
        // Waits for the acknowledgement: the offset is committed only after the dead letter is safely stored.
        producer.ProduceAsync(options.DeadLetterTopic, new Message<byte[]?, byte[]?> { Key = message.Message.Key, Value = message.Message.Value, Headers = headers })
            .GetAwaiter().GetResult();
        PlantSyncMetrics.DeadLetters.Add(1, new("job", Job), new("stage", "decode"));
        Interlocked.Increment(ref _deadLettered);
    }
}
