using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Http;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Factory;

/// <summary>What one stream's producer did.</summary>
internal sealed record StreamProducerResult(string Stream, string Topic, long Produced, long AlreadyInTopic, long Position, int Reconnects);

/// <summary>The stream cannot be produced: the endpoint is wrong, the data changed under a saved position, or Kafka refused records.</summary>
internal sealed class StreamProducerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads one NDJSON endpoint of the streaming data API and produces each record to its topic, keyed by a field
/// (the original's ProducerABC). Each record goes out as it came (the API's line, <c>json.dumps</c> text), with the
/// key field's value as text for key (so Kafka's murmur2 partitioner places it as kafka-python did), plus two
/// headers: <c>weir.stream</c> (the endpoint) and <c>weir.seq</c> (the record's index in the stream).
/// <para>
/// Resuming without duplicates: the stream is the same sorted file on every request, so a record is named by its
/// index. When the connection drops, the producer reconnects with <c>?offset=</c> the next index (or skips that
/// many lines when the server ignores the parameter). Across restarts of the producer itself it keeps
/// <see cref="ProducerProgress"/> on disk: the acknowledged prefix of the stream and where later records may sit,
/// and on start reads that tail of the topic to learn which later records are already there.
/// </para>
/// </summary>
internal sealed class StreamProducer
{
    public const string StreamHeader = "weir.stream";
    public const string SeqHeader = "weir.seq";

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);

    private readonly FactoryStreamOptions _stream;
    private readonly Uri _api;
    private readonly FactoryKafkaOptions _kafka;
    private readonly ProducerProgressStore _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TimeSpan _maxBackoff;
    private readonly TimeSpan _idleTimeout;
    private readonly byte[] _streamBytes;
    private readonly byte[] _keyField;
    private readonly KeyValuePair<string, object?> _topicTag;

    public StreamProducer(
        FactoryStreamOptions stream,
        Uri api,
        FactoryKafkaOptions kafka,
        ProducerProgressStore store,
        HttpClient http,
        TimeProvider time,
        ILogger log,
        TimeSpan maxBackoff,
        TimeSpan idleTimeout)
    {
        _stream = stream;
        _api = api;
        _kafka = kafka;
        _store = store;
        _http = http;
        _time = time;
        _log = log;
        _maxBackoff = maxBackoff;
        _idleTimeout = idleTimeout;
        _streamBytes = Encoding.UTF8.GetBytes("/" + stream.Endpoint.TrimStart('/'));
        _keyField = Encoding.UTF8.GetBytes(stream.Key);
        _topicTag = new("topic", stream.Topic);
    }

    public string StreamName => Encoding.UTF8.GetString(_streamBytes);

    public async Task<StreamProducerResult> RunAsync(int partitions, CancellationToken cancellationToken)
    {
        var topic = _stream.Topic;
        var progress = _store.Load(StreamName, topic);
        Dictionary<long, (int Partition, long Offset)> present = [];
        if (progress is null)
        {
            progress = new ProducerProgress { Stream = StreamName, Topic = topic, Next = 0, ScanFrom = EndOffsets(partitions) };
            await _store.SaveAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            present = ScanTail(progress, cancellationToken);
            _log.LogInformation("{Stream} → {Topic}: resuming at record {Next}; {Present} later records are in the topic already",
                StreamName, topic, progress.Next, present.Count);
        }

        var tracker = new DeliveryTracker(progress.Next, partitions, progress.ScanFrom);
        long produced = 0;
        long alreadyThere = 0;
        var reconnects = 0;
        long? count = progress.Count;
        var config = new ProducerConfig
        {
            BootstrapServers = _kafka.Bootstrap,
            Acks = Acks.All,
            EnableIdempotence = _kafka.Idempotence,
            LingerMs = 5,
            // kafka-python (the original's client) and Java place keys with murmur2; librdkafka's default is CRC32.
            Partitioner = Partitioner.Murmur2Random,
            ClientId = "weir-factory-producer",
        };
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetLogHandler((_, m) => _log.Log(m.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, "librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
        void OnDelivery(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.Error.IsError)
            {
                tracker.Failed(report.Error);
                return;
            }

            if (report.Message.Headers.TryGetLastBytes(SeqHeader, out var seq) && Utf8Parser.TryParse(seq, out long index, out _))
            {
                tracker.Delivered(index, report.Partition.Value, report.Offset.Value);
                FactoryMetrics.RecordsProduced.Add(1, _topicTag);
            }
        }

        using var saving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var saver = SaveRegularlyAsync(tracker, () => count, saving.Token);
        try
        {
            var backoff = MinBackoff;
            while (true)
            {
                ThrowIfFailed(tracker);
                var position = tracker.Handed;
                try
                {
                    var (lines, serverCount) = await ReadFromAsync(position, cancellationToken).ConfigureAwait(false);
                    if (serverCount is { } reported)
                    {
                        if (count is { } known && known != reported && position > 0)
                        {
                            throw new StreamProducerException(
                                $"{StreamName} now has {reported} records but had {known} when this producer started it; the data changed, so the saved position " +
                                $"means nothing. Delete '{_store.PathFor(StreamName, topic)}' (and the topic's records) to start over.");
                        }

                        count = reported;
                    }

                    await foreach (var (index, line) in lines.ConfigureAwait(false))
                    {
                        if (present.Remove(index, out var there))
                        {
                            tracker.AlreadyThere(index, there.Partition, there.Offset);
                            alreadyThere++;
                            continue;
                        }

                        tracker.Handing(index);
                        await ProduceAsync(producer, index, line, OnDelivery, cancellationToken).ConfigureAwait(false);
                        produced++;
                        backoff = MinBackoff;
                        if ((produced & 1023) == 0)
                        {
                            ThrowIfFailed(tracker);
                        }
                    }

                    break; // the server ended the stream: every record has been handed over
                }
                catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
                {
                    reconnects++;
                    FactoryMetrics.StreamReconnects.Add(1, new KeyValuePair<string, object?>("stream", StreamName));
                    _log.LogWarning("{Stream}: stream dropped at record {Position} ({Reason}); reconnecting in {Backoff} ms",
                        StreamName, tracker.Handed, e.GetBaseException().Message, (int)backoff.TotalMilliseconds);
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
                }
            }

            await FlushAsync(producer, tracker, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(tracker);
        }
        finally
        {
            // Whatever happened, the broker has what it acknowledged: save that, so a restart resumes there.
            await saving.CancelAsync().ConfigureAwait(false);
            try
            {
                await saver.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (cancellationToken.IsCancellationRequested)
            {
                producer.Flush(TimeSpan.FromSeconds(10));
            }

            await SaveAsync(tracker, count, CancellationToken.None).ConfigureAwait(false);
        }

        var position2 = tracker.Next;
        _log.LogInformation("{Stream} → {Topic}: stream finished at record {Position}: {Produced} produced, {Already} already in the topic, {Reconnects} reconnects",
            StreamName, topic, position2, produced, alreadyThere, reconnects);
        return new StreamProducerResult(StreamName, topic, produced, alreadyThere, position2, reconnects);
    }

    /// <summary>Opens the stream at <paramref name="position"/>; the lines come with their index in the stream.</summary>
    private async Task<(IAsyncEnumerable<(long Index, ReadOnlyMemory<byte> Line)> Lines, long? Count)> ReadFromAsync(long position, CancellationToken cancellationToken)
    {
        var url = new Uri(_api, _stream.Endpoint.TrimStart('/') + "?offset=" + position.ToString(CultureInfo.InvariantCulture));
        var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var message = $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}";
                throw (int)response.StatusCode >= 500
                    ? new HttpRequestException(message, null, response.StatusCode)
                    : new StreamProducerException(message);
            }

            // A server that honours ?offset says where it started; one that does not (the original) starts at 0.
            var start = Header(response, "Weir-Stream-Offset") ?? 0;
            if (start > position)
            {
                throw new StreamProducerException($"GET {url} started at record {start}, after the requested {position}");
            }

            var body2 = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return (Lines(response, body2, start, position, cancellationToken), Header(response, "Weir-Stream-Count"));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<(long Index, ReadOnlyMemory<byte> Line)> Lines(
        HttpResponseMessage response, Stream body, long start, long position, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A connection that goes quiet for too long is as good as dropped (a peer that vanished sends no FIN).
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_idleTimeout);
        using (response)
        {
            await using (body.ConfigureAwait(false))
            {
                var index = start;
                IAsyncEnumerator<ReadOnlyMemory<byte>> lines = NdjsonLineReader.ReadLinesAsync(body, cancellationToken: idle.Token).GetAsyncEnumerator(idle.Token);
                await using (lines.ConfigureAwait(false))
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await lines.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw new IOException($"no data for {_idleTimeout.TotalSeconds:0.#} s", e);
                        }

                        if (!more)
                        {
                            break;
                        }

                        idle.CancelAfter(_idleTimeout);
                        if (index >= position)
                        {
                            yield return (index, lines.Current);
                        }

                        index++;
                    }
                }
            }
        }
    }

    private async ValueTask ProduceAsync(IProducer<byte[]?, byte[]> producer, long index, ReadOnlyMemory<byte> line, Action<DeliveryReport<byte[]?, byte[]>> onDelivery, CancellationToken cancellationToken)
    {
        var message = new Message<byte[]?, byte[]>
        {
            Key = KeyOf(line.Span),
            Value = line.ToArray(),
            Headers = new Headers
            {
                { StreamHeader, _streamBytes },
                { SeqHeader, Encoding.ASCII.GetBytes(index.ToString(CultureInfo.InvariantCulture)) },
            },
        };
        while (true)
        {
            try
            {
                producer.Produce(_stream.Topic, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client's queue is full: let it drain (backpressure), then hand the record over again.
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The key field's value as text, as Python's <c>str(record[key])</c> gives it for numbers and strings; null when absent.</summary>
    private byte[]? KeyOf(ReadOnlySpan<byte> json)
    {
        if (_keyField.Length == 0)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(_keyField);
                reader.Read();
                if (!match)
                {
                    reader.Skip();
                    continue;
                }

                return reader.TokenType switch
                {
                    JsonTokenType.Number => reader.ValueSpan.ToArray(),
                    JsonTokenType.String => Encoding.UTF8.GetBytes(reader.GetString()!),
                    _ => null,
                };
            }
        }
        catch (JsonException)
        {
            // Not JSON: the record still goes to the topic, unkeyed; the sink dead-letters it with the reason.
        }

        return null;
    }

    private async Task FlushAsync(IProducer<byte[]?, byte[]> producer, DeliveryTracker tracker, CancellationToken cancellationToken)
    {
        while (tracker.InFlight > 0 && tracker.Error is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await BlockingCalls.RunAsync(() => producer.Flush(TimeSpan.FromMilliseconds(500)), cancellationToken).ConfigureAwait(false);
        }
    }

    private void ThrowIfFailed(DeliveryTracker tracker)
    {
        if (tracker.Error is { } error)
        {
            throw new StreamProducerException(
                $"{StreamName} → {_stream.Topic}: Kafka did not take record {tracker.Next}: {error.Reason} ({error.Code}). " +
                "Records up to there are saved; run the producer again to resume.");
        }
    }

    private async Task SaveRegularlyAsync(DeliveryTracker tracker, Func<long?> count, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        var saved = -1L;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (tracker.Next != saved)
            {
                saved = tracker.Next;
                await SaveAsync(tracker, count(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task SaveAsync(DeliveryTracker tracker, long? count, CancellationToken cancellationToken)
    {
        var (next, scanFrom) = tracker.Snapshot();
        return _store.SaveAsync(new ProducerProgress { Stream = StreamName, Topic = _stream.Topic, Next = next, Count = count, ScanFrom = scanFrom }, cancellationToken);
    }

    /// <summary>Each partition's end offset now: where this stream's first records will go.</summary>
    private Dictionary<int, long> EndOffsets(int partitions)
    {
        using var consumer = ScanConsumer();
        var ends = new Dictionary<int, long>(partitions);
        for (var p = 0; p < partitions; p++)
        {
            ends[p] = consumer.QueryWatermarkOffsets(new TopicPartition(_stream.Topic, p), TimeSpan.FromSeconds(30)).High.Value;
        }

        return ends;
    }

    /// <summary>Reads each partition from the saved scan offset to its end: which records of this stream beyond the prefix are there.</summary>
    private Dictionary<long, (int Partition, long Offset)> ScanTail(ProducerProgress progress, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, (int, long)>();
        using var consumer = ScanConsumer();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        foreach (var (partition, from) in progress.ScanFrom)
        {
            var end = consumer.QueryWatermarkOffsets(new TopicPartition(_stream.Topic, partition), TimeSpan.FromSeconds(30)).High.Value;
            if (end > from)
            {
                ends[partition] = end;
                assignment.Add(new TopicPartitionOffset(_stream.Topic, partition, from));
            }
        }

        if (assignment.Count == 0)
        {
            return found;
        }

        consumer.Assign(assignment);
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null || result.IsPartitionEOF)
            {
                if (result is { IsPartitionEOF: true } eof && eof.Offset.Value >= ends.GetValueOrDefault(eof.Partition.Value))
                {
                    ends.Remove(eof.Partition.Value);
                }

                continue;
            }

            var headers = result.Message.Headers;
            if (headers is not null
                && headers.TryGetLastBytes(StreamHeader, out var stream) && stream.AsSpan().SequenceEqual(_streamBytes)
                && headers.TryGetLastBytes(SeqHeader, out var seq) && Utf8Parser.TryParse(seq, out long index, out _)
                && index >= progress.Next)
            {
                found[index] = (result.Partition.Value, result.Offset.Value);
            }

            if (result.Offset.Value + 1 >= ends.GetValueOrDefault(result.Partition.Value, long.MaxValue))
            {
                ends.Remove(result.Partition.Value);
            }
        }

        return found;
    }

    private IConsumer<Ignore, Ignore> ScanConsumer() =>
        new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = _kafka.Bootstrap,
            GroupId = "weir-factory-producer", // never joined: partitions are assigned, nothing is committed
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).SetLogHandler((_, m) => _log.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message)).Build();

    private static bool IsTransient(Exception e) =>
        // HttpClient reports its own timeout (no response headers in time) as a cancellation caused by a TimeoutException.
        e is HttpRequestException or IOException or TaskCanceledException { InnerException: TimeoutException };

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
