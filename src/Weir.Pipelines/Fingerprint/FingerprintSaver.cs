using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.Fingerprint;

/// <summary>Where the saver reads and writes.</summary>
internal sealed record FingerprintSaverRun
{
    public required string Bootstrap { get; init; }

    public required FingerprintSettings Settings { get; init; }

    public required string OutputFolder { get; init; }

    /// <summary>Stop once both topics are read to their end and no fingerprint waits (a backlog run). Default: run until cancelled.</summary>
    public bool UntilEnd { get; init; }

    public TimeSpan Ahead { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// <c>weir run fingerprint-saver</c>: the original's save_fingerprints.py, reliable. Two consumers (sensor-data and
/// fingerprint-output, the original's group names, from the earliest offset), one thread, the join in
/// <see cref="FingerprintSaverState"/>. Partitions are assigned by the saver (no group rebalance); offsets that are
/// safely in files are committed to the groups when the broker supports it, and a restart from earlier offsets
/// just writes the same files again.
/// </summary>
internal sealed class FingerprintSaver(FingerprintSaverRun run, ILogger logger)
{
    private const int BatchPerTurn = 2_000;

    public FingerprintSaverState? State { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var settings = run.Settings;
        var state = State = new FingerprintSaverState(run.OutputFolder, TimeSpan.FromMinutes(settings.WindowSizeMinutes),
            TimeSpan.FromSeconds(settings.WatermarkSeconds), run.Ahead);
        using var readings = Consumer(settings.Saver.ReadingsGroupId, settings.InputTopic);
        using var fingerprints = Consumer(settings.Saver.FingerprintsGroupId, settings.OutputTopic);
        var parser = new SensorMessageParser();
        var useJsonTime = !settings.EventTime.Equals("kafka", StringComparison.OrdinalIgnoreCase);
        var readingsAtEnd = new Dictionary<int, bool>();
        var fingerprintsAtEnd = new Dictionary<int, bool>();
        var paused = false;
        long badReadings = 0;
        var lastCommit = DateTime.UtcNow;
        var lastAssign = DateTime.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (DateTime.UtcNow - lastAssign > TimeSpan.FromSeconds(5))
            {
                lastAssign = DateTime.UtcNow;
                Assign(readings, settings.InputTopic, readingsAtEnd);
                Assign(fingerprints, settings.OutputTopic, fingerprintsAtEnd);
            }

            var progressed = false;
            for (var i = 0; i < BatchPerTurn && fingerprints.Consume(TimeSpan.Zero) is { } result; i++)
            {
                progressed = true;
                if (result.IsPartitionEOF)
                {
                    fingerprintsAtEnd[result.Partition.Value] = true;
                    break;
                }

                fingerprintsAtEnd[result.Partition.Value] = false;
                try
                {
                    state.AddFingerprint(result.Message.Value, result.Partition.Value, result.Offset.Value);
                }
                catch (Exception error) when (error is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    logger.LogWarning("skipping a fingerprint that is not one ({Topic}-{Partition}@{Offset}): {Reason}", result.Topic, result.Partition.Value, result.Offset.Value, error.Message);
                }
            }

            var mayRead = state.ReadingsMayAdvance;
            if (mayRead == paused)
            {
                paused = !mayRead;
                if (paused)
                {
                    readings.Pause(readings.Assignment);
                }
                else
                {
                    readings.Resume(readings.Assignment);
                }
            }

            for (var i = 0; !paused && i < BatchPerTurn && readings.Consume(TimeSpan.Zero) is { } result; i++)
            {
                progressed = true;
                if (result.IsPartitionEOF)
                {
                    readingsAtEnd[result.Partition.Value] = true;
                    break;
                }

                readingsAtEnd[result.Partition.Value] = false;
                try
                {
                    var message = parser.Parse(result.Message.Value);
                    var timestamp = useJsonTime && message.TimestampMs is { } ms ? ms : result.Message.Timestamp.UnixTimestampMs;
                    state.AddReading(new SaverReading(message.EquipId, timestamp, result.Partition.Value, result.Offset.Value, result.Message.Value));
                }
                catch (InvalidReadingException)
                {
                    badReadings++; // the job sent it to the dead letters; there is nothing to save
                }

                if (!state.ReadingsMayAdvance)
                {
                    break;
                }
            }

            var allReadingsAtEnd = readingsAtEnd.Count > 0 && readingsAtEnd.Values.All(e => e);
            state.Advance(allReadingsAtEnd);
            if (DateTime.UtcNow - lastCommit > TimeSpan.FromSeconds(5))
            {
                lastCommit = DateTime.UtcNow;
                var c = state.Counts;
                logger.LogDebug("fingerprint saver: {Files} files, {Readings} readings, {Waiting} fingerprints waiting, {Pending} windows pending, readings {Paused}",
                    c.Files, c.Readings, c.WaitingFingerprints, c.PendingWindows, paused ? "paused" : "flowing");
                Commit(readings, fingerprints, state);
            }

            if (run.UntilEnd && allReadingsAtEnd && fingerprintsAtEnd.Count > 0 && fingerprintsAtEnd.Values.All(e => e) && state.Counts.WaitingFingerprints == 0)
            {
                break;
            }

            if (!progressed)
            {
                // Nothing ready: wait a little for either topic (a blocking consume would starve the other).
                await Task.Delay(paused ? 50 : 10, cancellationToken).ConfigureAwait(false);
            }
        }

        Commit(readings, fingerprints, state);
        var counts = state.Counts;
        logger.LogInformation("fingerprint saver: {Files} files written, {Readings} readings ({Late} late, {Unmatched} without a fingerprint, {Bad} unreadable)",
            counts.Files, counts.Readings, counts.LateReadings, counts.UnmatchedReadings, badReadings);
    }

    private IConsumer<byte[]?, byte[]> Consumer(string groupId, string topic) =>
        new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = run.Bootstrap,
            GroupId = groupId,
            ClientId = $"weir-fingerprint-saver-{topic}",
            // Offsets are stored by the saver once they are safely in files; librdkafka commits them in the background
            // (a synchronous commit would block the loop on a broker without a group coordinator).
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = 5_000,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        })
        .SetErrorHandler((_, error) => logger.LogWarning("fingerprint saver ({Topic}): {Reason}", topic, error.Reason))
        .SetLogHandler((_, message) => logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message))
        .Build();

    /// <summary>Takes every partition of the topic (new ones too), starting from the group's committed offsets when there are any.</summary>
    private void Assign(IConsumer<byte[]?, byte[]> consumer, string topic, Dictionary<int, bool> atEnd)
    {
        List<int> partitions;
        try
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = run.Bootstrap }).Build();
            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics
                .Where(t => !t.Error.IsError).SelectMany(t => t.Partitions.Select(p => p.PartitionId)).ToList();
        }
        catch (KafkaException error)
        {
            logger.LogWarning("fingerprint saver: cannot read the partitions of {Topic}: {Reason}", topic, error.Message);
            return;
        }

        var fresh = partitions.Where(p => !atEnd.ContainsKey(p)).Select(p => new TopicPartition(topic, p)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        List<TopicPartitionOffset> starts;
        try
        {
            starts = consumer.Committed(fresh, TimeSpan.FromSeconds(5))
                .Select(c => c.Offset.IsSpecial ? new TopicPartitionOffset(c.TopicPartition, Offset.Beginning) : c).ToList();
        }
        catch (KafkaException)
        {
            starts = fresh.Select(p => new TopicPartitionOffset(p, Offset.Beginning)).ToList(); // no group coordinator: from the start
        }

        consumer.IncrementalAssign(starts);
        foreach (var p in fresh)
        {
            atEnd[p.Partition.Value] = false;
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]> readings, IConsumer<byte[]?, byte[]> fingerprints, FingerprintSaverState state)
    {
        try
        {
            var readingOffsets = readings.Assignment.Select(tp => (tp, position: readings.Position(tp)))
                .Where(x => !x.position.IsSpecial)
                .Select(x => new TopicPartitionOffset(x.tp, state.SafeReadingOffset(x.tp.Partition.Value, x.position.Value) ?? x.position.Value)).ToList();
            var fingerprintOffsets = fingerprints.Assignment.Select(tp => (tp, position: fingerprints.Position(tp)))
                .Where(x => !x.position.IsSpecial)
                .Select(x => new TopicPartitionOffset(x.tp, state.SafeFingerprintOffset(x.tp.Partition.Value, x.position.Value))).ToList();
            foreach (var offset in readingOffsets)
            {
                readings.StoreOffset(offset);
            }

            foreach (var offset in fingerprintOffsets)
            {
                fingerprints.StoreOffset(offset);
            }
        }
        catch (KafkaException error)
        {
            logger.LogDebug("fingerprint saver: offsets not stored ({Reason}); a restart reads from earlier and writes the same files", error.Message);
        }
    }
}
