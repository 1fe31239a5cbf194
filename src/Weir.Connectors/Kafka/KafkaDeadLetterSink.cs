using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Weir.Streams;

namespace Weir.Connectors.Kafka;

/// <summary>
/// Writes dead letters to a Kafka topic (docs/architecture.md, "Dead letters"): the original key and value bytes
/// when the failure happened behind the source (otherwise the record as JSON), and headers
/// <c>weir.error</c>, <c>weir.stage</c>, <c>weir.job</c>, <c>weir.source.topic</c>, <c>weir.source.partition</c>,
/// <c>weir.source.offset</c>, <c>weir.source.timestamp</c>. Thread-safe; flushed with every checkpoint.
/// </summary>
public sealed class KafkaDeadLetterSink : IDeadLetterSink, IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly Action<DeliveryReport<byte[]?, byte[]>> _onDelivery;
    private Error? _error;

    /// <param name="topic">Usually "&lt;job&gt;-dlq".</param>
    public KafkaDeadLetterSink(string bootstrapServers, string topic, IReadOnlyDictionary<string, string>? producerConfig = null)
    {
        Topic = topic;
        var config = new ProducerConfig(producerConfig?.ToDictionary(kv => kv.Key, kv => kv.Value) ?? [])
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            LingerMs = 20,
            ClientId = $"weir-dlq-{topic}",
        };
        _producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        _onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(ref _error, report.Error, null);
            }
        };
    }

    public string Topic { get; }

    public void Write(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var headers = new Headers
        {
            { "weir.error", Encoding.UTF8.GetBytes(letter.Error) },
            { "weir.stage", Encoding.UTF8.GetBytes(letter.Stage) },
            { "weir.job", Encoding.UTF8.GetBytes(letter.Job) },
        };
        byte[]? key = null;
        byte[] value;
        if (letter.Origin.IsKnown)
        {
            headers.Add("weir.source.topic", Encoding.UTF8.GetBytes(letter.Origin.Source));
            headers.Add("weir.source.partition", Ascii(letter.Origin.Partition));
            headers.Add("weir.source.offset", Ascii(letter.Origin.Offset));
            headers.Add("weir.source.timestamp", Ascii(letter.Origin.Timestamp));
            key = letter.Origin.Key;
            value = letter.Origin.Value ?? [];
        }
        else
        {
            value = Describe(letter.Record);
        }

        var message = new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = headers };
        while (true)
        {
            try
            {
                _producer.Produce(Topic, message, _onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    public void Flush()
    {
        var undelivered = _producer.Flush(TimeSpan.FromSeconds(30));
        if (Interlocked.Exchange(ref _error, null) is { } error)
        {
            throw new IOException($"dead letters not delivered to '{Topic}': {error.Reason}");
        }

        // Callers commit past the failed records once Flush returns: letters still queued must not pass for delivered.
        if (undelivered > 0)
        {
            throw new IOException($"{undelivered} dead letters not yet acknowledged by '{Topic}' after 30 s");
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    private static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static byte[] Describe(object? record)
    {
        if (record is null)
        {
            return [];
        }

        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(record, record.GetType());
        }
        catch (NotSupportedException)
        {
            return Encoding.UTF8.GetBytes(record.ToString() ?? "");
        }
    }
}
