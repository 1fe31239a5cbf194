using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Connectors.Files;
using Weir.Connectors.Kafka;
using Weir.Connectors.Parquet;
using Weir.Pipelines.Shared;
using Weir.Streams;

namespace Weir.Pipelines.Factory;

/// <summary>What one topic's sink did.</summary>
internal sealed record TopicSinkResult(string Topic, long Consumed, long Written, long DeadLetters, int Files, long Batches);

/// <summary>
/// Persists one topic (the original's Spark query per topic): every trigger interval it takes what is available,
/// at most <see cref="FactorySinkOptions.MaxRecordsPerTrigger"/> records, validates each against the topic's schema
/// (failures to the dead-letter topic), writes the valid rows of each partition as Parquet files of at most
/// <see cref="FactorySinkOptions.MaxRecordsPerFile"/> rows, and only then commits the offsets.
/// <para>
/// Exactly once: a file is named after the partition offsets it covers and appears atomically and durably; the
/// sink resumes each partition after the last file that proves it was written (or after the committed offset, when
/// that is further: a range that held only dead letters leaves no file). A crash at any point therefore re-reads
/// only what no file holds: no record is lost and none lands in two files. Dead letters are at least once (a crash
/// between sending them and writing the file sends them again; their headers carry the source offset).
/// </para>
/// </summary>
internal sealed class TopicSink : IDisposable
{
    /// <summary>The step that rejects records, in the dead letters' weir.stage header.</summary>
    public const string Stage = "validate";

    private readonly string _topic;
    private readonly RecordSchema _schema;
    private readonly JsonRecordDecoder _decoder;
    private readonly int _partitions;
    private readonly FactorySinkOptions _options;
    private readonly FactoryKafkaOptions _kafka;
    private readonly string _folder;
    private readonly KafkaDeadLetterSink _deadLetters;
    private readonly KeyValuePair<string, object?>[] _deadLetterTags = [new("job", FactorySink.Job), new("stage", Stage)];
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TextWriter? _console;
    private readonly Dictionary<int, PartitionBuffer> _buffers = [];
    private readonly HashSet<int> _assigned = [];
    private readonly Dictionary<int, long> _next = [];
    private readonly KeyValuePair<string, object?> _topicTag;
    private readonly bool _useGroup;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private long _consumed;
    private long _written;
    private long _dead;
    private int _files;
    private long _batches;

    public TopicSink(
        string topic,
        RecordSchema schema,
        int partitions,
        FactorySinkOptions options,
        FactoryKafkaOptions kafka,
        string folder,
        KafkaDeadLetterSink deadLetters,
        TimeProvider time,
        ILogger log,
        TextWriter? console)
    {
        _topic = topic;
        _schema = schema;
        _decoder = new JsonRecordDecoder(schema);
        _partitions = partitions;
        _options = options;
        _kafka = kafka;
        _folder = folder;
        _deadLetters = deadLetters;
        _time = time;
        _log = log;
        _console = console;
        _topicTag = new("topic", topic);
        _useGroup = !string.IsNullOrEmpty(options.Group);
    }

    private bool ToParquet => _console is null;

    /// <param name="availableNow">Stop once everything that was in the topic at start is persisted (Spark's Trigger.AvailableNow).</param>
    public async Task<TopicSinkResult> RunAsync(bool availableNow, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder);
        _consumer = BuildConsumer();
        Dictionary<int, long>? ends = null;
        if (availableNow)
        {
            ends = [];
            for (var p = 0; p < _partitions; p++)
            {
                ends[p] = _consumer.QueryWatermarkOffsets(new TopicPartition(_topic, p), TimeSpan.FromSeconds(30)).High.Value;
            }
        }

        if (_useGroup)
        {
            _consumer.Subscribe(_topic);
        }
        else
        {
            _consumer.Assign(StartPositions(_consumer, [.. Enumerable.Range(0, _partitions).Select(p => new TopicPartition(_topic, p))]));
        }

        var trigger = TimeSpan.FromSeconds(_options.TriggerSeconds);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                var taken = await BlockingCalls.RunAsync(() => Collect(started, trigger, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (taken > 0)
                {
                    await PersistAsync(cancellationToken).ConfigureAwait(false);
                }

                if (ends is not null && _assigned.Count > 0 && _assigned.All(p => _next.GetValueOrDefault(p) >= ends.GetValueOrDefault(p)))
                {
                    break;
                }

                var wait = trigger - _time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            try
            {
                _consumer.Close(); // leaves the group at once, so another instance takes over without waiting for a timeout
            }
            catch (KafkaException e)
            {
                _log.LogDebug(e, "closing the {Topic} consumer", _topic);
            }
        }

        return new TopicSinkResult(_topic, _consumed, _written, _dead, _files, _batches);
    }

    public void Dispose() => _consumer?.Dispose();

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _kafka.Bootstrap,
            // Without a group the consumer never joins one (partitions are assigned); the id is only a label.
            GroupId = _useGroup ? _options.Group : "weir-factory-sink-standalone",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            ClientId = "weir-factory-sink",
            SessionTimeoutMs = (int)(_options.SessionTimeoutSeconds * 1000),
            HeartbeatIntervalMs = Math.Max(100, (int)(_options.SessionTimeoutSeconds * 1000 / 4)),
        }).SetLogHandler((_, m) => _log.Log(m.Level <= SyslogLevel.Warning ? LogLevel.Warning : LogLevel.Debug, "librdkafka {Facility}: {Message}", m.Facility, m.Message));
        if (_useGroup)
        {
            builder.SetPartitionsAssignedHandler((consumer, partitions) => StartPositions(consumer, partitions))
                .SetPartitionsRevokedHandler((_, partitions) => Release(partitions.Select(p => p.Partition.Value)))
                .SetPartitionsLostHandler((_, partitions) => Release(partitions.Select(p => p.Partition.Value)));
        }

        return builder.Build();
    }

    /// <summary>Where each partition resumes: after the last file that proves it was written, or the committed offset if further.</summary>
    private List<TopicPartitionOffset> StartPositions(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var numbers = partitions.Select(p => p.Partition.Value).ToHashSet();
        var fromFiles = ToParquet ? SinkFiles.Resume(_folder, _topic, numbers) : [];
        var committed = _useGroup
            ? consumer.Committed(partitions, TimeSpan.FromSeconds(30)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value)
            : [];
        var positions = new List<TopicPartitionOffset>(partitions.Count);
        foreach (var partition in partitions)
        {
            var p = partition.Partition.Value;
            var start = Math.Max(fromFiles.GetValueOrDefault(p, -1), committed.GetValueOrDefault(p, -1));
            _assigned.Add(p);
            if (start >= 0)
            {
                _next[p] = start;
            }

            positions.Add(new TopicPartitionOffset(partition, start >= 0 ? new Offset(start) : Offset.Beginning));
        }

        _log.LogInformation("{Topic}: reading partitions {Partitions} from {Offsets}", _topic,
            string.Join(",", numbers.Order()), string.Join(",", positions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.IsSpecial ? "earliest" : p.Offset.Value.ToString(CultureInfo.InvariantCulture))));
        return positions;
    }

    /// <summary>Partitions taken away by a rebalance: their unwritten records are dropped (the new owner reads them again).</summary>
    private void Release(IEnumerable<int> partitions)
    {
        foreach (var p in partitions)
        {
            _assigned.Remove(p);
            _next.Remove(p);
            if (_buffers.TryGetValue(p, out var buffer))
            {
                buffer.Clear();
            }
        }
    }

    /// <summary>Takes what is available now, up to the per-trigger maximum, into the partition buffers.</summary>
    private int Collect(long started, TimeSpan trigger, CancellationToken cancellationToken)
    {
        var consumer = _consumer!;
        var budget = TimeSpan.FromTicks(Math.Max(trigger.Ticks, TimeSpan.FromSeconds(1).Ticks));
        var taken = 0;
        while (taken < _options.MaxRecordsPerTrigger && !cancellationToken.IsCancellationRequested && _time.GetElapsedTime(started) < budget)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                break; // nothing more available right now
            }

            if (result.IsPartitionEOF)
            {
                continue;
            }

            var p = result.Partition.Value;
            if (!_buffers.TryGetValue(p, out var buffer))
            {
                buffer = new PartitionBuffer(_schema);
                _buffers[p] = buffer;
            }

            var offset = result.Offset.Value;
            if (_decoder.TryAppend(result.Message.Value, buffer.Rows, out var error))
            {
                buffer.AddRowOffset(offset);
            }
            else
            {
                var message = result.Message;
                _deadLetters.Write(new DeadLetter(FactorySink.Job, Stage, error!,
                    new RecordOrigin(_topic, p, offset, message.Timestamp.UnixTimestampMs, message.Key, message.Value), null, null));
                FactoryMetrics.DeadLetters.Add(1, _deadLetterTags);
                buffer.DeadLetters++;
            }

            buffer.Consumed(offset);
            _next[p] = offset + 1;
            taken++;
        }

        return taken;
    }

    /// <summary>Dead letters first, then the files, then the offsets: each step only after the one before is durable.</summary>
    private async Task PersistAsync(CancellationToken cancellationToken)
    {
        var batch = _batches++;
        var dead = _buffers.Values.Sum(b => b.DeadLetters);
        if (dead > 0)
        {
            await BlockingCalls.RunAsync(_deadLetters.Flush, cancellationToken).ConfigureAwait(false);
        }

        var files = 0;
        var rows = 0L;
        var consumed = 0L;
        var commits = new List<TopicPartitionOffset>();
        foreach (var (partition, buffer) in _buffers.OrderBy(b => b.Key))
        {
            if (buffer.First < 0)
            {
                continue;
            }

            if (ToParquet)
            {
                files += await WriteFilesAsync(partition, buffer, cancellationToken).ConfigureAwait(false);
            }

            rows += buffer.Rows.Count;
            consumed += buffer.Count;
            commits.Add(new TopicPartitionOffset(_topic, partition, buffer.Last + 1));
        }

        if (_console is not null)
        {
            await _console.WriteAsync(ConsoleBatchPrinter.Format(batch, _topic,
                [.. _buffers.OrderBy(b => b.Key).Where(b => b.Value.Rows.Count > 0).Select(b => (b.Value.Rows, b.Value.Rows.Count))])).ConfigureAwait(false);
        }

        if (_useGroup && commits.Count > 0)
        {
            try
            {
                _consumer!.Commit(commits);
            }
            catch (KafkaException e)
            {
                // The files already prove what was written; a failed commit only means a longer look at them next time.
                _log.LogWarning("{Topic}: committing offsets failed ({Reason}); the files written stand", _topic, e.Error.Reason);
            }
        }

        foreach (var buffer in _buffers.Values)
        {
            buffer.Clear();
        }

        _consumed += consumed;
        _written += rows;
        _dead += dead;
        _files += files;
        FactoryMetrics.RecordsWritten.Add(rows, _topicTag);
        _log.LogInformation("{Topic}: batch {Batch}: {Consumed} records, {Rows} rows in {Files} files, {Dead} dead letters",
            _topic, batch, consumed, rows, files, dead);
    }

    /// <summary>Writes a partition's rows as files of at most MaxRecordsPerFile rows whose offset ranges tile the consumed range.</summary>
    private async Task<int> WriteFilesAsync(int partition, PartitionBuffer buffer, CancellationToken cancellationToken)
    {
        var rows = buffer.Rows.Count;
        var files = 0;
        for (var start = 0; start < rows; start += _options.MaxRecordsPerFile)
        {
            var count = Math.Min(_options.MaxRecordsPerFile, rows - start);
            var first = start == 0 ? buffer.First : buffer.RowOffset(start);
            var last = start + count >= rows ? buffer.Last : buffer.RowOffset(start + count) - 1;
            var path = Path.Combine(_folder, SinkFiles.NameFor(_topic, partition, first, last));
            var metadata = new Dictionary<string, string>
            {
                ["weir.topic"] = _topic,
                ["weir.partition"] = partition.ToString(CultureInfo.InvariantCulture),
                ["weir.offsets"] = string.Create(CultureInfo.InvariantCulture, $"{first}-{last}"),
            };
            var rowStart = start;
            await DurableFile.WriteAsync(path, (stream, ct) => ParquetTableWriter.WriteAsync(stream, buffer.Rows, rowStart, count, metadata, cancellationToken: ct), cancellationToken)
                .ConfigureAwait(false);
            FactoryMetrics.FilesWritten.Add(1, _topicTag);
            _log.LogDebug("{Topic}: wrote {Path} ({Rows} rows)", _topic, path, count);
            files++;
        }

        return files;
    }

    /// <summary>One partition's share of a micro-batch: the valid rows, the offset of each, and the consumed range.</summary>
    private sealed class PartitionBuffer(RecordSchema schema)
    {
        private long[] _rowOffsets = new long[256];

        public ColumnBatch Rows { get; } = new(schema, 256);

        public long First { get; private set; } = -1;

        public long Last { get; private set; } = -1;

        public int Count { get; private set; }

        public long DeadLetters { get; set; }

        public long RowOffset(int row) => _rowOffsets[row];

        public void AddRowOffset(long offset)
        {
            var row = Rows.Count - 1;
            if (row >= _rowOffsets.Length)
            {
                Array.Resize(ref _rowOffsets, _rowOffsets.Length * 2);
            }

            _rowOffsets[row] = offset;
        }

        public void Consumed(long offset)
        {
            if (First < 0)
            {
                First = offset;
            }

            Last = offset;
            Count++;
        }

        public void Clear()
        {
            Rows.Clear();
            First = -1;
            Last = -1;
            Count = 0;
            DeadLetters = 0;
        }
    }
}
