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
/// the network, and a full queue pauses fetching (backpressure reaches Kafka, not memory). In group mode the
/// consumer subscribes and the group's rebalances (on the fetch thread, inside Consume) travel through the same
/// queue, in order with the records: an assigned partition becomes a split, a revoked one is released.
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
    private readonly Queue<Fetched> _fetched = new();
    private readonly Stack<List<ConsumeResult<byte[], byte[]>>> _freeChunks = new();
    private List<ConsumeResult<byte[], byte[]>>? _chunk;
    private int _chunkIndex;
    private int _fetchedRecords;
    private readonly object _lock = new();
    private readonly Queue<List<(TopicPartitionOffset Offset, long Epoch)>> _commits = new();
    private readonly SortedDictionary<long, List<(TopicPartitionOffset Offset, long Epoch)>> _snapshots = [];
    private readonly Dictionary<string, long> _restored = new(StringComparer.Ordinal);
    private readonly bool _group;
    private readonly bool _cooperative;
    // Fetch thread only (group mode): the partitions the consumer owns now, with the assignment they belong to.
    private readonly Dictionary<TopicPartition, Owned> _owned = [];
    private HashSet<TopicPartition>? _pendingRevoke;
    private long _assignments;
    private List<ConsumeResult<byte[], byte[]>>? _building;
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
        _group = options.Mode == KafkaSourceMode.Group;
        _cooperative = options.ConsumerConfig.TryGetValue("partition.assignment.strategy", out var strategy)
            && strategy.Contains("cooperative", StringComparison.OrdinalIgnoreCase);
        foreach (var split in context.RestoredSplits)
        {
            _restored[split.SplitId] = BinaryPrimitives.ReadInt64LittleEndian(split.Position);
        }

        var config = new ConsumerConfig(options.ConsumerConfig.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            BootstrapServers = options.BootstrapServers,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = options.StopAtEndOffsets,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            ClientId = $"weir-{context.JobName}-{context.SourceName}-{context.SubtaskIndex}",
        };
        config.SocketNagleDisable ??= true; // as the Java client does: fetch requests should leave at once
        // Confluent.Kafka insists on a group id even for assigned partitions; without one of the user's, the
        // job's own is never committed to (offsets live in the checkpoints).
        config.GroupId = options.GroupId ?? $"weir-{context.JobName}-{context.SourceName}";

        var builder = new ConsumerBuilder<byte[], byte[]>(config)
            .SetValueDeserializer(UninitializedBytesDeserializer.Instance)
            .SetLogHandler((_, log) => Log(log))
            .SetErrorHandler((_, error) => context.Logger.LogWarning("kafka source {Source}: {Reason}", _sourceLabel, error.Reason));
        if (_group)
        {
            builder
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions, lost: false))
                .SetPartitionsLostHandler((_, partitions) => OnRevoked(partitions, lost: true));
        }

        _consumer = builder.Build();
        try
        {
            if (_group)
            {
                _consumer.Subscribe(options.Topics);
            }
            else
            {
                Assign();
            }
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
                if (!NextChunk(output))
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

    /// <summary>
    /// Gives the used chunk back and takes the next one, applying the partition changes queued before it; false
    /// when none is waiting.
    /// </summary>
    private bool NextChunk(ReaderOutput<T> output)
    {
        while (true)
        {
            Fetched next;
            lock (_lock)
            {
                if (_chunk is not null)
                {
                    _chunk.Clear();
                    _freeChunks.Push(_chunk);
                    _chunk = null;
                }

                if (!_fetched.TryDequeue(out next))
                {
                    return false;
                }

                if (next.Records is { } records)
                {
                    var wasFull = _fetchedRecords >= _options.FetchQueueCapacity;
                    _fetchedRecords -= records.Count;
                    if (wasFull && _fetchedRecords < _options.FetchQueueCapacity)
                    {
                        Monitor.PulseAll(_lock);
                    }

                    _chunk = records;
                    _chunkIndex = 0;
                    return true;
                }
            }

            Apply(output, next.Change!);
        }
    }

    /// <summary>A rebalance reaches the subtask: revoked partitions stop emitting and no longer hold the watermark back; assigned ones become splits.</summary>
    private void Apply(ReaderOutput<T> output, OwnershipChange change)
    {
        foreach (var partition in change.Revoked)
        {
            if (_partitions.Remove(partition, out var state))
            {
                output.ReleaseSplit(state.SplitId);
            }
        }

        foreach (var (partition, start, epoch) in change.Assigned)
        {
            if (_partitions.Remove(partition, out var previous))
            {
                output.ReleaseSplit(previous.SplitId);
            }

            var state = new PartitionState(partition, SplitId(partition)) { Next = start, Epoch = epoch };
            state.Output = output.ForSplit(state.SplitId);
            _partitions[partition] = state;
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
        var offsets = new List<(TopicPartitionOffset, long)>(_partitions.Count);
        foreach (var state in _partitions.Values)
        {
            var position = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(position, state.Next);
            splits.Add(new SplitState(state.SplitId, position));
            if (state.Next >= 0)
            {
                offsets.Add((new TopicPartitionOffset(state.Partition, state.Next), state.Epoch));
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

        var starts = new List<TopicPartitionOffset>();
        var unresolved = new List<TopicPartition>();
        foreach (var p in mine)
        {
            var tp = new TopicPartition(p.Topic, p.Partition);
            var state = new PartitionState(tp, p.ToString());
            _partitions[tp] = state;
            if (_restored.TryGetValue(state.SplitId, out var next) && next >= 0)
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

    private static string SplitId(TopicPartition partition) => new KafkaPartition(partition.Topic, partition.Partition.Value).ToString();

    /// <summary>
    /// Group mode, on the fetch thread: the group gave this consumer partitions. A partition it held right before
    /// this (eager) rebalance goes on from where fetching stood, without a new split; a new one starts from the
    /// group's committed offset, else from this job's checkpoint, else from <see cref="KafkaSourceOptions.StartFrom"/>.
    /// </summary>
    private List<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        if (_stopping)
        {
            return [.. partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset))];
        }

        var kept = new List<TopicPartitionOffset>();
        var fresh = new List<TopicPartition>();
        foreach (var partition in partitions)
        {
            if (_pendingRevoke?.Remove(partition) == true && _owned.TryGetValue(partition, out var owned))
            {
                kept.Add(new TopicPartitionOffset(partition, owned.FetchNext));
            }
            else
            {
                fresh.Add(partition);
            }
        }

        if (_pendingRevoke is { Count: > 0 } gone)
        {
            Revoke([.. gone]);
        }

        _pendingRevoke = null;
        var starts = ResolveGroupStart(fresh);
        var assigned = new List<(TopicPartition, long, long)>(starts.Count);
        foreach (var start in starts)
        {
            var epoch = ++_assignments;
            _owned[start.TopicPartition] = new Owned(epoch) { FetchNext = start.Offset.Value };
            assigned.Add((start.TopicPartition, start.Offset.Value, epoch));
        }

        if (assigned.Count > 0)
        {
            Publish(new Fetched(null, new OwnershipChange(assigned, [])));
        }

        _context.Logger.LogInformation(
            "kafka source {Source} subtask {Subtask}: group {Group} assigned {Partitions}",
            _sourceLabel,
            _context.SubtaskIndex,
            _options.GroupId,
            partitions.Count == 0 ? "no partitions" : string.Join(", ", kept.Concat(starts).Select(s => $"{s.TopicPartition.Topic}-{s.Partition.Value}@{Describe(s.Offset)}")));
        return [.. kept, .. starts];
    }

    /// <summary>
    /// Group mode, on the fetch thread: partitions go away. What completed checkpoints hold is committed first (while
    /// the partitions are still this consumer's). In an eager rebalance the revocation waits for the assignment
    /// that follows, so partitions that stay here keep their split and position; lost ones (session timeout) and
    /// cooperative revocations go at once.
    /// </summary>
    private void OnRevoked(List<TopicPartitionOffset> partitions, bool lost)
    {
        if (_stopping)
        {
            return;
        }

        var revoked = partitions.Select(p => p.TopicPartition).ToList();
        if (!lost)
        {
            CommitPending();
        }

        if (!lost && !_cooperative)
        {
            (_pendingRevoke ??= []).UnionWith(revoked);
            return;
        }

        _pendingRevoke?.ExceptWith(revoked);
        Revoke(revoked);
    }

    private void Revoke(List<TopicPartition> revoked)
    {
        foreach (var partition in revoked)
        {
            _owned.Remove(partition);
        }

        Publish(new Fetched(null, new OwnershipChange([], revoked)));
        _context.Logger.LogInformation(
            "kafka source {Source} subtask {Subtask}: group {Group} revoked {Partitions}",
            _sourceLabel,
            _context.SubtaskIndex,
            _options.GroupId,
            string.Join(", ", revoked.Select(SplitId)));
    }

    private List<TopicPartitionOffset> ResolveGroupStart(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return [];
        }

        var committed = _consumer.Committed(partitions, MetadataTimeout).Where(c => c.Offset.Value >= 0).Select(c => new TopicPartitionOffset(c.TopicPartition, c.Offset)).ToList();
        var missing = partitions.Except(committed.Select(c => c.TopicPartition)).ToList();
        var checkpointed = missing
            .Where(p => _restored.TryGetValue(SplitId(p), out var next) && next >= 0)
            .Select(p => new TopicPartitionOffset(p, _restored[SplitId(p)]))
            .ToList();
        var rest = missing.Except(checkpointed.Select(c => c.TopicPartition)).ToList();
        var otherwise = _options.StartFrom is KafkaStartOffsets.CommittedOffsets c ? c.Otherwise : _options.StartFrom;
        return [.. committed, .. checkpointed, .. ResolveStart(rest, otherwise)];
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
                lock (_lock)
                {
                    while (_fetchedRecords >= _options.FetchQueueCapacity && !_stopping)
                    {
                        Monitor.Wait(_lock, 100);
                        CommitPendingLocked();
                    }
                }

                // A group member always polls: rebalances happen inside Consume.
                if (!_group && _partitions.Count == 0)
                {
                    Thread.Sleep(100);
                    continue;
                }

                // Wait for the first record, then take what librdkafka already holds, up to a chunk. A rebalance
                // inside Consume publishes what was taken so far first, so records and partition changes stay in order.
                _building = TakeChunk();
                var result = _consumer.Consume(100);
                while (result is not null)
                {
                    if (_group && !result.IsPartitionEOF && _owned.TryGetValue(result.TopicPartition, out var owned))
                    {
                        owned.FetchNext = result.Offset.Value + 1;
                    }

                    _building.Add(result);
                    if (_building.Count == ChunkSize)
                    {
                        break;
                    }

                    result = _consumer.Consume(0);
                }

                var chunk = _building;
                _building = null;
                Publish(new Fetched(chunk, null));
            }
            catch (ConsumeException error) when (!error.Error.IsFatal)
            {
                // What was gathered before the error was consumed already: it must still reach the subtask.
                if (_building is { } gathered)
                {
                    _building = null;
                    Publish(new Fetched(gathered, null));
                }

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

    private List<ConsumeResult<byte[], byte[]>> TakeChunk()
    {
        lock (_lock)
        {
            return _freeChunks.TryPop(out var free) ? free : new List<ConsumeResult<byte[], byte[]>>(ChunkSize);
        }
    }

    /// <summary>Queues records or a partition change for the subtask (a partition change after the records being gathered).</summary>
    private void Publish(Fetched item)
    {
        if (item.Change is not null && _building is { Count: > 0 } gathered)
        {
            Publish(new Fetched(gathered, null));
            _building = TakeChunk();
        }

        bool wasEmpty;
        lock (_lock)
        {
            if (item.Records is { Count: 0 } empty)
            {
                _freeChunks.Push(empty);
                return;
            }

            wasEmpty = _fetched.Count == 0;
            _fetched.Enqueue(item);
            _fetchedRecords += item.Records?.Count ?? 0;
        }

        if (wasEmpty)
        {
            _context.SignalDataAvailable();
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
        // In an eager rebalance the group refuses commits until the next assignment: they wait for it.
        while (_pendingRevoke is null && _commits.TryDequeue(out var snapshot))
        {
            // In group mode only partitions still held since the checkpoint's snapshot: a partition that moved away
            // (and perhaps came back) may have been read further by another member, whose commit must stand.
            var offsets = snapshot
                .Where(s => !_group || (_owned.TryGetValue(s.Offset.TopicPartition, out var owned) && owned.Epoch == s.Epoch))
                .Select(s => s.Offset)
                .ToList();
            if (offsets.Count == 0)
            {
                continue;
            }

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

        /// <summary>The group assignment this partition came with (group mode; 0 otherwise).</summary>
        public long Epoch { get; init; }

        public bool IsDone => Stop != long.MaxValue && Next >= Stop;

        public SourceOutput<T>? Output { get; set; }
    }

    /// <summary>A partition this consumer holds in group mode (fetch thread).</summary>
    private sealed class Owned(long epoch)
    {
        public long Epoch { get; } = epoch;

        /// <summary>The offset after the last record fetched.</summary>
        public long FetchNext { get; set; }
    }

    /// <summary>Partitions that moved: revoked first, then assigned (with their start offsets and assignment).</summary>
    private sealed record OwnershipChange(IReadOnlyList<(TopicPartition Partition, long Start, long Epoch)> Assigned, IReadOnlyList<TopicPartition> Revoked);

    /// <summary>What the fetch thread queues for the subtask: a chunk of records or a partition change.</summary>
    private readonly record struct Fetched(List<ConsumeResult<byte[], byte[]>>? Records, OwnershipChange? Change);
}
