using System.Buffers.Binary;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Streams;
using Weir.Streams.Sources;
using Weir.Streams.Time;

namespace Weir.Connectors.Kafka;

/// <summary>
/// One subtask's share of a Kafka source. A fetch thread runs the consumer (librdkafka blocks) and queues
/// what it reads; <see cref="Poll"/> takes from that queue on the subtask thread, so the job never waits on
/// the network, and a full queue pauses fetching (backpressure reaches Kafka, not memory).
/// </summary>
internal sealed class KafkaSourceReader<T> : ISourceReader<T>
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);
    private readonly KafkaSourceOptions _options;
    private readonly KafkaDeserializer<T> _deserializer;
    private readonly SourceReaderContext _context;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    // Fetched records travel from the fetch thread in chunks, so the two threads meet once per chunk, not per record.
    private const int ChunkSize = 512;
    private readonly Queue<List<ConsumeResult<byte[], byte[]>>> _fetched = new();
    private readonly Stack<List<ConsumeResult<byte[], byte[]>>> _freeChunks = new();
    private List<ConsumeResult<byte[], byte[]>>? _chunk;
    private int _chunkIndex;
    private int _fetchedRecords;
    private readonly object _lock = new();
    private readonly Queue<List<TopicPartitionOffset>> _commits = new();
    private readonly SortedDictionary<long, List<TopicPartitionOffset>> _snapshots = [];
    private readonly Thread _fetcher;
    private readonly string _sourceLabel;
    private volatile bool _stopping;
    private Exception? _fetchError;
    private bool _splitsCreated;
    private int _ended;

    public KafkaSourceReader(KafkaSourceOptions options, KafkaDeserializer<T> deserializer, SourceReaderContext context)
    {
        _options = options;
        _deserializer = deserializer;
        _context = context;
        _sourceLabel = context.SourceName;
        var config = new ConsumerConfig(options.ConsumerConfig.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            BootstrapServers = options.BootstrapServers,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = options.StopAtEndOffsets,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            ClientId = $"weir-{context.JobName}-{context.SourceName}-{context.SubtaskIndex}",
        };
        // Confluent.Kafka insists on a group id even for assigned partitions; without one of the user's, the
        // job's own is never committed to (offsets live in the checkpoints).
        config.GroupId = options.GroupId ?? $"weir-{context.JobName}-{context.SourceName}";

        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, log) => Log(log))
            .SetErrorHandler((_, error) => context.Logger.LogWarning("kafka source {Source}: {Reason}", _sourceLabel, error.Reason))
            .Build();
        try
        {
            Assign();
        }
        catch
        {
            _consumer.Dispose();
            throw;
        }

        _fetcher = new Thread(Fetch) { IsBackground = true, Name = $"weir:{context.JobName}:kafka-fetch-{context.SubtaskIndex}" };
        _fetcher.Start();
    }

    public SourceStatus Poll(ReaderOutput<T> output)
    {
        if (Volatile.Read(ref _fetchError) is { } error)
        {
            throw new IOException($"kafka source {_sourceLabel}: {error.Message}", error);
        }

        if (!_splitsCreated)
        {
            _splitsCreated = true;
            // Every split first, so a partition that is already done cannot look like the last one.
            foreach (var state in _partitions.Values)
            {
                state.Output = output.ForSplit(state.SplitId);
            }

            foreach (var state in _partitions.Values.Where(s => s.IsDone))
            {
                End(output, state);
            }
        }

        var emitted = 0;
        while (emitted < _context.BatchSize)
        {
            if (_chunk is null || _chunkIndex == _chunk.Count)
            {
                if (!NextChunk())
                {
                    break;
                }
            }

            var result = _chunk![_chunkIndex++];

            if (!_partitions.TryGetValue(result.TopicPartition, out var state) || state.Ended)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                if (_options.StopAtEndOffsets && state.Next >= state.Stop)
                {
                    End(output, state);
                }

                continue;
            }

            var offset = result.Offset.Value;
            if (offset < state.Next)
            {
                continue; // fetched before a seek took effect
            }

            state.Next = offset + 1;
            emitted++;
            Emit(state, result);
            if (_options.StopAtEndOffsets && state.Next >= state.Stop)
            {
                End(output, state);
            }
        }

        if (_options.StopAtEndOffsets && _ended == _partitions.Count)
        {
            return SourceStatus.EndOfInput;
        }

        if (_chunk is not null && _chunkIndex < _chunk.Count)
        {
            return SourceStatus.MoreAvailable;
        }

        lock (_lock)
        {
            return _fetched.Count > 0 ? SourceStatus.MoreAvailable : SourceStatus.NothingAvailable;
        }
    }

    /// <summary>Gives the used chunk back and takes the next one; false when none is waiting.</summary>
    private bool NextChunk()
    {
        lock (_lock)
        {
            if (_chunk is not null)
            {
                _chunk.Clear();
                _freeChunks.Push(_chunk);
                _chunk = null;
            }

            if (!_fetched.TryDequeue(out var next))
            {
                return false;
            }

            var wasFull = _fetchedRecords >= _options.FetchQueueCapacity;
            _fetchedRecords -= next.Count;
            if (wasFull && _fetchedRecords < _options.FetchQueueCapacity)
            {
                Monitor.PulseAll(_lock);
            }

            _chunk = next;
            _chunkIndex = 0;
            return true;
        }
    }

    private void Emit(PartitionState state, ConsumeResult<byte[], byte[]> result)
    {
        var message = result.Message;
        var timestamp = message.Timestamp.Type == TimestampType.NotAvailable ? Timestamps.None : message.Timestamp.UnixTimestampMs;
        var record = new KafkaRecord(state.Partition.Topic, state.Partition.Partition.Value, result.Offset.Value, timestamp, message.Key, message.Value, message.Headers);
        var origin = new RecordOrigin(state.Partition.Topic, record.Partition, record.Offset, timestamp, message.Key, message.Value);
        T value;
        try
        {
            value = _deserializer(record);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            _context.ReportFailedRecord($"{_sourceLabel}: deserialize", $"{error.GetType().Name}: {error.Message}".ReplaceLineEndings(" "), error, origin);
            return;
        }

        state.Output!.Collect(value, timestamp, origin);
    }

    private void End(ReaderOutput<T> output, PartitionState state)
    {
        if (!state.Ended)
        {
            state.Ended = true;
            _ended++;
            output.ReleaseSplit(state.SplitId);
        }
    }

    public IReadOnlyList<SplitState> SnapshotState(long checkpointId)
    {
        var splits = new List<SplitState>(_partitions.Count);
        var offsets = new List<TopicPartitionOffset>(_partitions.Count);
        foreach (var state in _partitions.Values)
        {
            var position = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(position, state.Next);
            splits.Add(new SplitState(state.SplitId, position));
            if (state.Next >= 0)
            {
                offsets.Add(new TopicPartitionOffset(state.Partition, state.Next));
            }
        }

        if (_options.GroupId is not null)
        {
            _snapshots[checkpointId] = offsets;
        }

        return splits;
    }

    public void NotifyCheckpointComplete(long checkpointId)
    {
        if (!_snapshots.Remove(checkpointId, out var offsets))
        {
            return;
        }

        foreach (var older in _snapshots.Keys.Where(id => id < checkpointId).ToList())
        {
            _snapshots.Remove(older);
        }

        if (offsets.Count > 0)
        {
            lock (_lock)
            {
                _commits.Enqueue(offsets);
            }
        }
    }

    private void Assign()
    {
        var all = _options.Partitions ?? Discover();
        var mine = all.Where(p => Owner(p, _context.Parallelism) == _context.SubtaskIndex).ToList();
        var restored = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var split in _context.RestoredSplits)
        {
            restored[split.SplitId] = BinaryPrimitives.ReadInt64LittleEndian(split.Position);
        }

        var starts = new List<TopicPartitionOffset>();
        var unresolved = new List<TopicPartition>();
        foreach (var p in mine)
        {
            var tp = new TopicPartition(p.Topic, p.Partition);
            var state = new PartitionState(tp, p.ToString());
            _partitions[tp] = state;
            if (restored.TryGetValue(state.SplitId, out var next) && next >= 0)
            {
                state.Next = next;
                starts.Add(new TopicPartitionOffset(tp, next));
            }
            else
            {
                unresolved.Add(tp);
            }
        }

        foreach (var start in ResolveStart(unresolved, _options.StartFrom))
        {
            _partitions[start.TopicPartition].Next = start.Offset.Value >= 0 ? start.Offset.Value : -1;
            starts.Add(start);
        }

        if (_options.StopAtEndOffsets)
        {
            foreach (var state in _partitions.Values)
            {
                var marks = _consumer.QueryWatermarkOffsets(state.Partition, MetadataTimeout);
                state.Stop = marks.High.Value;
                if (state.Next < 0)
                {
                    state.Next = marks.Low.Value; // resolved lazily: earliest
                }
            }
        }

        _context.Logger.LogInformation(
            "kafka source {Source} subtask {Subtask}: {Partitions}",
            _sourceLabel,
            _context.SubtaskIndex,
            starts.Count == 0 ? "no partitions" : string.Join(", ", starts.Select(s => $"{s.TopicPartition.Topic}-{s.Partition.Value}@{Describe(s.Offset)}")));
        _consumer.Assign(starts);
    }

    private List<TopicPartitionOffset> ResolveStart(List<TopicPartition> partitions, KafkaStartOffsets start)
    {
        if (partitions.Count == 0)
        {
            return [];
        }

        switch (start)
        {
            case KafkaStartOffsets.LatestOffsets:
                // Pinned now, so a checkpoint taken before any record arrives still holds a real offset.
                return [.. partitions.Select(tp => new TopicPartitionOffset(tp, _consumer.QueryWatermarkOffsets(tp, MetadataTimeout).High))];
            case KafkaStartOffsets.TimestampOffsets at:
                var times = partitions.Select(tp => new TopicPartitionTimestamp(tp, new Timestamp(at.Timestamp, TimestampType.CreateTime)));
                return [.. _consumer.OffsetsForTimes(times, MetadataTimeout).Select(r => r.Offset.Value < 0
                    ? new TopicPartitionOffset(r.TopicPartition, _consumer.QueryWatermarkOffsets(r.TopicPartition, MetadataTimeout).High)
                    : new TopicPartitionOffset(r.TopicPartition, r.Offset))];
            case KafkaStartOffsets.CommittedOffsets committed:
                if (_options.GroupId is null)
                {
                    throw new InvalidOperationException($"kafka source {_sourceLabel}: starting from committed offsets needs a GroupId");
                }

                var found = _consumer.Committed(partitions, MetadataTimeout).Where(c => c.Offset.Value >= 0).ToList();
                var missing = partitions.Except(found.Select(c => c.TopicPartition)).ToList();
                return [.. found.Select(c => new TopicPartitionOffset(c.TopicPartition, c.Offset)), .. ResolveStart(missing, committed.Otherwise)];
            default:
                return [.. partitions.Select(tp => new TopicPartitionOffset(tp, _consumer.QueryWatermarkOffsets(tp, MetadataTimeout).Low))];
        }
    }

    private List<KafkaPartition> Discover()
    {
        if (_options.Topics.Count == 0)
        {
            throw new InvalidOperationException($"kafka source {_sourceLabel}: set Topics or Partitions");
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _options.BootstrapServers }).Build();
        var result = new List<KafkaPartition>();
        foreach (var topic in _options.Topics)
        {
            var metadata = admin.GetMetadata(topic, MetadataTimeout);
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            if (found is null || found.Error.IsError || found.Partitions.Count == 0)
            {
                throw new InvalidOperationException($"kafka source {_sourceLabel}: topic '{topic}' not found on {_options.BootstrapServers}{(found?.Error.IsError == true ? $" ({found.Error.Reason})" : "")}");
            }

            result.AddRange(found.Partitions.Select(p => new KafkaPartition(topic, p.PartitionId)).OrderBy(p => p.Partition));
        }

        return result;
    }

    /// <summary>Which subtask reads a partition: consecutive partitions of a topic go to consecutive subtasks, each topic starting at its own subtask.</summary>
    internal static int Owner(KafkaPartition partition, int parallelism)
    {
        var hash = 2166136261u;
        foreach (var c in partition.Topic)
        {
            hash = (hash ^ c) * 16777619u;
        }

        var start = (int)((hash & 0x7FFFFFFF) % (uint)parallelism);
        return (start + partition.Partition) % parallelism;
    }

    private void Fetch()
    {
        while (!_stopping)
        {
            try
            {
                CommitPending();
                List<ConsumeResult<byte[], byte[]>> chunk;
                lock (_lock)
                {
                    while (_fetchedRecords >= _options.FetchQueueCapacity && !_stopping)
                    {
                        Monitor.Wait(_lock, 100);
                        CommitPendingLocked();
                    }

                    chunk = _freeChunks.TryPop(out var free) ? free : new List<ConsumeResult<byte[], byte[]>>(ChunkSize);
                }

                if (_partitions.Count == 0)
                {
                    Thread.Sleep(100);
                    continue;
                }

                // Wait for the first record, then take what librdkafka already holds, up to a chunk.
                var result = _consumer.Consume(100);
                while (result is not null)
                {
                    chunk.Add(result);
                    if (chunk.Count == ChunkSize)
                    {
                        break;
                    }

                    result = _consumer.Consume(0);
                }

                bool wasEmpty;
                lock (_lock)
                {
                    if (chunk.Count == 0)
                    {
                        _freeChunks.Push(chunk);
                        continue;
                    }

                    wasEmpty = _fetched.Count == 0;
                    _fetched.Enqueue(chunk);
                    _fetchedRecords += chunk.Count;
                }

                if (wasEmpty)
                {
                    _context.SignalDataAvailable();
                }
            }
            catch (ConsumeException error) when (!error.Error.IsFatal)
            {
                _context.Logger.LogWarning("kafka source {Source}: {Reason}", _sourceLabel, error.Error.Reason);
            }
            catch (Exception error) when (!_stopping)
            {
                Volatile.Write(ref _fetchError, error);
                _context.SignalDataAvailable();
                return;
            }
        }
    }

    private void CommitPending()
    {
        lock (_lock)
        {
            CommitPendingLocked();
        }
    }

    private void CommitPendingLocked()
    {
        while (_commits.TryDequeue(out var offsets))
        {
            try
            {
                _consumer.Commit(offsets);
            }
            catch (KafkaException error)
            {
                // The checkpoint holds the offsets; the group's copy is for tools and for StartFrom committed.
                _context.Logger.LogWarning("kafka source {Source}: committing offsets to group {Group} failed: {Reason}", _sourceLabel, _options.GroupId, error.Error.Reason);
            }
        }
    }

    private void Log(LogMessage log)
    {
        var level = log.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Debug,
            _ => LogLevel.Trace,
        };
        _context.Logger.Log(level, "librdkafka {Facility}: {Message}", log.Facility, log.Message);
    }

    private static string Describe(Offset offset) => offset.Value switch
    {
        -2 => "earliest",
        -1 => "latest",
        var v => v.ToString(CultureInfo.InvariantCulture),
    };

    public void Dispose()
    {
        _stopping = true;
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }

        _fetcher.Join(TimeSpan.FromSeconds(5));
        CommitPending();
        _consumer.Close();
        _consumer.Dispose();
    }

    private sealed class PartitionState(TopicPartition partition, string splitId)
    {
        public TopicPartition Partition { get; } = partition;

        public string SplitId { get; } = splitId;

        /// <summary>The offset of the next record to emit (-1 until known).</summary>
        public long Next { get; set; } = -1;

        public long Stop { get; set; } = long.MaxValue;

        public bool Ended { get; set; }

        public bool IsDone => Stop != long.MaxValue && Next >= Stop;

        public SourceOutput<T>? Output { get; set; }
    }
}
