using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.Factory;

/// <summary>
/// Sends records that failed validation to the dead-letter topic with their original key and value and the
/// headers of docs/architecture.md "Dead letters" (weir.error, weir.stage, weir.source.topic/partition/offset/
/// timestamp, weir.job), and counts them. <see cref="FlushAsync"/> returns only when the broker has them all, so
/// the sink commits past a bad record only once its dead letter is safe.
/// </summary>
internal sealed class DeadLetterWriter : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _topic;
    private readonly byte[] _job;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Lock _gate = new();
    private Error? _error;
    private long _pending;

    public DeadLetterWriter(string bootstrap, string topic, string job, bool idempotence, ILogger log)
    {
        _topic = topic;
        _job = Encoding.UTF8.GetBytes(job);
        _tags = [new("job", job), new("stage", Stage)];
        _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = idempotence,
            ClientId = "weir-" + job + "-dlq",
        }).SetLogHandler((_, m) => log.Log(m.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, "librdkafka {Facility}: {Message}", m.Facility, m.Message)).Build();
    }

    public const string Stage = "validate";

    private static readonly byte[] StageBytes = Encoding.UTF8.GetBytes(Stage);

    public string Topic => _topic;

    public void Write(ConsumeResult<byte[]?, byte[]?> record, string error)
    {
        var headers = new Headers
        {
            { "weir.error", Encoding.UTF8.GetBytes(error) },
            { "weir.stage", StageBytes },
            { "weir.source.topic", Encoding.UTF8.GetBytes(record.Topic) },
            { "weir.source.partition", Ascii(record.Partition.Value) },
            { "weir.source.offset", Ascii(record.Offset.Value) },
            { "weir.source.timestamp", Ascii(record.Message.Timestamp.UnixTimestampMs) },
            { "weir.job", _job },
        };
        Interlocked.Increment(ref _pending);
        _producer.Produce(_topic, new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers }, report =>
        {
            if (report.Error.IsError)
            {
                lock (_gate)
                {
                    _error ??= report.Error;
                }
            }
            else
            {
                FactoryMetrics.DeadLetters.Add(1, _tags);
            }

            Interlocked.Decrement(ref _pending);
        });
    }

    /// <summary>Waits until every dead letter written so far is acknowledged; throws if one was refused.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _pending) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Run(() => _producer.Flush(TimeSpan.FromMilliseconds(500)), cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (_error is { } error)
            {
                throw new KafkaException(new Error(error.Code, $"the dead-letter topic '{_topic}' refused a record: {error.Reason}"));
            }
        }
    }

    public void Dispose() => _producer.Dispose();

    private static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
