using Confluent.Kafka;
using Weir.Streams.Sinks;
using Weir.Streams.Time;

namespace Weir.Connectors.Kafka;

/// <summary>How a <see cref="KafkaSink{T}"/> writes.</summary>
public sealed record KafkaSinkOptions
{
    /// <summary>Kafka bootstrap address(es), "host:port[,host:port]".</summary>
    public required string BootstrapServers { get; init; }

    public required string Topic { get; init; }

    /// <summary>Acknowledgements the producer waits for: All (default, the durable choice), Leader or None.</summary>
    public Acks Acks { get; init; } = Acks.All;

    /// <summary>How long the producer may wait to fill a batch.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a flush (before a checkpoint completes) may wait for delivery before the job fails.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra librdkafka producer settings (e.g. "compression.type").</summary>
    public IReadOnlyDictionary<string, string> ProducerConfig { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Writes a job's records to a Kafka topic. Records carry their event timestamp as the Kafka timestamp. Before
/// a checkpoint completes every record written so far is delivered (acknowledged as <see cref="KafkaSinkOptions.Acks"/>
/// says), so after a restart nothing is missing; records after the last checkpoint are written again: give them
/// deterministic keys or ids (<c>DeterministicId</c>) so consumers recognise them. A delivery failure fails the job.
/// The writers of a job's sinks with the same producer settings share one producer
/// (<see cref="SharedKafkaProducers"/>), so records for several topics travel in one produce request.
/// </summary>
public sealed class KafkaSink<T>(KafkaSinkOptions options, Func<T, KafkaMessage> serializer) : ISink<T>
{
    public KafkaSinkOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(Options, serializer, context);

    private sealed class Writer : ISinkWriter<T>
    {
        private readonly KafkaSinkOptions _options;
        private readonly Func<T, KafkaMessage> _serializer;
        private readonly SinkContext _context;
        private readonly SharedKafkaProducers.Lease _lease;
        private readonly IProducer<byte[]?, byte[]> _producer;
        private readonly Action<DeliveryReport<byte[]?, byte[]>> _onDelivery;
        private Error? _deliveryError;
        private long _failed;

        public Writer(KafkaSinkOptions options, Func<T, KafkaMessage> serializer, SinkContext context)
        {
            _options = options;
            _serializer = serializer;
            _context = context;
            var config = new ProducerConfig(options.ProducerConfig.ToDictionary(kv => kv.Key, kv => kv.Value))
            {
                BootstrapServers = options.BootstrapServers,
                Acks = options.Acks,
                LingerMs = options.Linger.TotalMilliseconds,
            };
            config.SocketNagleDisable ??= true; // as the Java client does: a linger already batches, Nagle would only delay
            _lease = SharedKafkaProducers.Acquire(context.JobName, config, context.Logger);
            _producer = _lease.Producer;
            _onDelivery = report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref _failed);
                    Interlocked.CompareExchange(ref _deliveryError, report.Error, null);
                }
            };
        }

        public void Write(T value, long timestamp)
        {
            var message = _serializer(value);
            var kafka = new Message<byte[]?, byte[]>
            {
                Key = message.Key,
                Value = message.Value,
                Headers = message.Headers,
                Timestamp = timestamp == Timestamps.None || timestamp == Timestamps.MaxWatermark ? Timestamp.Default : new Timestamp(timestamp, TimestampType.CreateTime),
            };
            while (true)
            {
                try
                {
                    _producer.Produce(_options.Topic, kafka, _onDelivery);
                    return;
                }
                catch (ProduceException<byte[]?, byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(50)); // the local queue is full: wait for deliveries
                }
            }
        }

        public void Flush()
        {
            var deadline = _context.Clock.GetTimestamp();
            while (_producer.Flush(TimeSpan.FromSeconds(1)) > 0)
            {
                if (_context.Clock.GetElapsedTime(deadline) > _options.FlushTimeout)
                {
                    throw new IOException($"kafka sink {_context.SinkName}: records not delivered to '{_options.Topic}' within {_options.FlushTimeout}");
                }
            }

            if (Volatile.Read(ref _deliveryError) is { } error)
            {
                throw new IOException($"kafka sink {_context.SinkName}: {Interlocked.Read(ref _failed)} record(s) not delivered to '{_options.Topic}': {error.Reason}");
            }
        }

        public void Dispose()
        {
            try
            {
                _producer.Flush(TimeSpan.FromSeconds(10));
            }
            finally
            {
                _lease.Dispose();
            }
        }
    }
}
