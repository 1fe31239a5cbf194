using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;

namespace Weir.Services.PlantImages.Bench;

internal sealed class PlantSyncBenchmarkOptions
{
    /// <summary>Starts a fresh, empty broker (each phase gets its own, so the plant topics hold only that phase's changes).</summary>
    public required Func<CancellationToken, Task<(string Bootstrap, IAsyncDisposable Broker)>> StartBroker { get; init; }

    /// <summary>Folder for the benchmark's SQLite databases.</summary>
    public required string WorkFolder { get; init; }

    /// <summary>A PostgreSQL server (Npgsql connection string) to measure the apply rate on as well; null: SQLite only.</summary>
    public string? Postgres { get; init; }

    /// <summary>Changes in the backlog the consumer applies in the apply-rate phase (0 skips the phase).</summary>
    public int ApplyChanges { get; init; } = 10_000;

    /// <summary>How long the steady workload runs in the comparison phase (zero skips the phase).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(1200);

    /// <summary>Workload speed: the original jobs' periods divided by this (400: about 20 changes/s).</summary>
    public double Speed { get; init; } = 400;

    /// <summary>The batch synchronizer's interval (the original's 600 s).</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromSeconds(600);

    public int ImageSize { get; init; } = LeafImages.DefaultSize;

    public int Seed { get; init; } = 1;
}

/// <summary>Changes per second a consumer applied from a backlog.</summary>
internal sealed record ApplyResult(string Backend, string Mode, int Records, double Seconds)
{
    public double PerSecond => Records / Seconds;
}

/// <summary>Streaming versus batch sync over the same steady workload.</summary>
internal sealed record ComparisonResult(
    TimeSpan Duration,
    double ChangesPerSecondTarget,
    TimeSpan BatchInterval,
    int Changes,
    long StreamRecords,
    long StreamWireBytes,
    long StreamStoredBytes,
    Distribution StreamStaleness,
    int StreamNotVisible,
    long BatchRecords,
    long BatchStoredBytes,
    int BatchRuns,
    Distribution BatchStaleness,
    int BatchNotVisible,
    bool StreamEqual,
    bool BatchEqual,
    List<double> StreamSamples,
    List<double> BatchSamples);

/// <summary>
/// `weir bench plant-sync`: (1) how many changes per second the consumer applies from a backlog, batched
/// (up to 500 records per transaction and offset commit) against one record per transaction (the original
/// consumer's shape), on SQLite and PostgreSQL; (2) the comparison the original never finished: one steady
/// workload, synced at once by the streaming consumer and by the 600 s batch job into two consumer databases,
/// with records and bytes moved and staleness (p50, p99, max) per change.
/// </summary>
internal sealed class PlantSyncBenchmark(PlantSyncBenchmarkOptions options, ILoggerFactory loggerFactory)
{
    private const int BatchedMaxBatch = 500;
    private readonly ILogger _log = loggerFactory.CreateLogger("weir.bench.plant-sync");

    public async Task<List<ApplyResult>> MeasureApplyRateAsync(CancellationToken cancellationToken)
    {
        var results = new List<ApplyResult>();
        if (options.ApplyChanges <= 0)
        {
            return results;
        }

        var (bootstrap, broker) = await options.StartBroker(cancellationToken).ConfigureAwait(false);
        await using (broker.ConfigureAwait(false))
        {
            await using var producer = SqlDatabase.Open(Path.Combine(options.WorkFolder, "apply-producer.db"));
            await FillBacklogAsync(producer, bootstrap, cancellationToken).ConfigureAwait(false);
            var backends = options.Postgres is null ? new[] { "SQLite" } : ["SQLite", "PostgreSQL"];
            foreach (var backend in backends)
            {
                foreach (var maxBatch in new[] { BatchedMaxBatch, 1 })
                {
                    var result = await ApplyBacklogAsync(bootstrap, backend, maxBatch, cancellationToken).ConfigureAwait(false);
                    _log.LogInformation("{Backend}, {Mode}: {Rate:0} changes/s", result.Backend, result.Mode, result.PerSecond);
                    results.Add(result);
                }
            }
        }

        return results;
    }

    public async Task<ComparisonResult?> CompareAsync(CancellationToken cancellationToken)
    {
        if (options.Duration <= TimeSpan.Zero)
        {
            return null;
        }

        var (bootstrap, broker) = await options.StartBroker(cancellationToken).ConfigureAwait(false);
        await using (broker.ConfigureAwait(false))
        {
            var settings = new PlantSyncOptions
            {
                Bootstrap = bootstrap,
                Producer = { Listen = "127.0.0.1:0", SeedImages = 10, OutboxRetention = TimeSpan.FromDays(7) },
            };
            await using var producer = await PlantImageProducer.StartAsync(
                settings, Path.Combine(options.WorkFolder, "compare-producer.db"), loggerFactory, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await using var streamDb = SqlDatabase.Open(Path.Combine(options.WorkFolder, "compare-stream.db"));
            await using var batchDb = SqlDatabase.Open(Path.Combine(options.WorkFolder, "compare-batch.db"));
            await PlantImageSchema.EnsureAsync(streamDb, cancellationToken).ConfigureAwait(false);
            await PlantImageSchema.EnsureAsync(batchDb, cancellationToken).ConfigureAwait(false);

            var streamSeen = new StalenessAnalysis();
            var batchSeen = new StalenessAnalysis();
            var streamReplica = new ReplicaWriter(streamDb, TimeProvider.System, "stream");
            var batchReplica = new ReplicaWriter(batchDb, TimeProvider.System, "batch");
            streamReplica.Applied += (images, applied, at) => Record(streamSeen, images, applied, at);
            batchReplica.Applied += (images, applied, at) => Record(batchSeen, images, applied, at);
            var batchRuns = new List<(long At, BatchRun Run)>();
            var synchronizer = new BatchSynchronizer(
                producer.Store.Database, batchReplica, TimeProvider.System, _log, new BatchSynchronizerOptions
                {
                    Interval = options.BatchInterval,
                    // The job's 5 s re-read overlap, but never a large share of a short test interval.
                    Overlap = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, options.BatchInterval.Ticks / 20)),
                });
            synchronizer.Ran += run =>
            {
                lock (batchRuns)
                {
                    batchRuns.Add((PlantTime.NowMicros(TimeProvider.System), run));
                }
            };

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var consumer = new PlantSyncConsumer(streamReplica, new PlantSyncConsumerOptions { Bootstrap = bootstrap }, loggerFactory.CreateLogger("weir.plant-sync"));
            var consuming = consumer.RunAsync(stop.Token);
            var batching = synchronizer.RunAsync(stop.Token);
            await WaitEqualAsync(producer.Store.Database, streamDb, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            await WaitEqualAsync(producer.Store.Database, batchDb, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);

            // The steady workload, through the producer's HTTP API as the original jobs did.
            var start = PlantTime.NowMicros(TimeProvider.System);
            using var http = new HttpClient { BaseAddress = producer.Address };
            var workloadOptions = new PlantWorkloadOptions { Speed = options.Speed, Seed = options.Seed, ImageSize = options.ImageSize };
            var workload = new PlantWorkload(new PlantImageClient(http), workloadOptions, TimeProvider.System, _log);
            _log.LogInformation("Comparison: workload at about {Rate:0.#} changes/s for {Duration} s, batch every {Interval} s",
                workloadOptions.ChangesPerSecond, options.Duration.TotalSeconds, options.BatchInterval.TotalSeconds);
            using (var workloadStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                workloadStop.CancelAfter(options.Duration);
                await workload.RunAsync(workloadStop.Token).ConfigureAwait(false);
            }

            _log.LogInformation("Workload made {Changes} changes; waiting for the stream, then for the next batch run", workload.Changes);
            var streamEqual = await WaitEqualAsync(producer.Store.Database, streamDb, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            var batchEqual = await WaitEqualAsync(producer.Store.Database, batchDb, options.BatchInterval + TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellationAsync(consuming).ConfigureAwait(false);
            await IgnoreCancellationAsync(batching).ConfigureAwait(false);

            var (changes, wireBytes, storedBytes) = await ChangeLogAsync(new Outbox(producer.Store.Database), start, cancellationToken).ConfigureAwait(false);
            var (streamSeconds, streamMissing) = streamSeen.Measure(changes);
            var (batchSeconds, batchMissing) = batchSeen.Measure(changes);
            List<BatchRun> runs;
            lock (batchRuns)
            {
                runs = [.. batchRuns.Where(r => r.At >= start).Select(r => r.Run)];
            }

            return new ComparisonResult(
                options.Duration, workloadOptions.ChangesPerSecond, options.BatchInterval, changes.Count,
                changes.Count, wireBytes, storedBytes, Distribution.Of(streamSeconds), streamMissing,
                runs.Sum(r => (long)r.Read), runs.Sum(r => r.Bytes), runs.Count, Distribution.Of(batchSeconds), batchMissing,
                streamEqual, batchEqual, streamSeconds, batchSeconds);
        }
    }

    private static void Record(StalenessAnalysis analysis, IReadOnlyList<PlantImage> images, bool[] applied, long at)
    {
        for (var i = 0; i < images.Count; i++)
        {
            if (applied[i])
            {
                analysis.Applied(images[i].Plant, images[i].Id, images[i].ChangedAt, at);
            }
        }
    }

    /// <summary>
    /// Writes the backlog straight into the producer database (creates, updates and deletes in the workload's mix;
    /// a few dozen distinct pictures) and relays it to the broker.
    /// </summary>
    private async Task FillBacklogAsync(SqlDatabase producer, string bootstrap, CancellationToken cancellationToken)
    {
        var store = new PlantImageStore(producer, TimeProvider.System);
        await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var pictures = Enumerable.Range(0, 32).Select(i => LeafImages.Jpeg(options.Seed + i, i % 3 > 0, options.ImageSize)).ToArray();
        var random = new Random(options.Seed);
        var created = Plants.All.ToDictionary(p => p, _ => 0L);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < options.ApplyChanges; i++)
        {
            var plant = Plants.All[random.Next(Plants.All.Count)];
            var roll = random.NextDouble();
            if (created[plant] < 5 || roll < 0.65)
            {
                await store.CreateAsync(plant, random.Next(1, 11), 48.4 + (random.NextDouble() * 0.4), 16.4 + (random.NextDouble() * 0.6),
                    pictures[random.Next(pictures.Length)], random, cancellationToken).ConfigureAwait(false);
                created[plant]++;
            }
            else
            {
                var id = random.NextInt64(1, created[plant] + 1);
                var update = roll < 0.97
                    ? new PlantImageUpdate(id, Disease: Plants.Diseases(plant)[random.Next(Plants.Diseases(plant).Count)], Percentage: 0.9, IsActive: roll < 0.8)
                    : new PlantImageUpdate(id, IsDeleted: true);
                await store.UpdateAsync(plant, update, cancellationToken).ConfigureAwait(false);
            }
        }

        await PlantTopics.EnsureAsync(bootstrap, 1, 1, cancellationToken).ConfigureAwait(false);
        using var publisher = new KafkaChangePublisher(bootstrap);
        var relay = new OutboxRelay(new Outbox(producer), publisher, TimeProvider.System, _log);
        while (await relay.RelayOnceAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        _log.LogInformation("Backlog of {Changes} changes written and published in {Seconds:0.0} s", options.ApplyChanges, watch.Elapsed.TotalSeconds);
    }

    private async Task<ApplyResult> ApplyBacklogAsync(string bootstrap, string backend, int maxBatch, CancellationToken cancellationToken)
    {
        var (target, cleanup) = await NewDatabaseAsync(backend, $"apply-{maxBatch}", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var database = SqlDatabase.Open(target);
            await PlantImageSchema.EnsureAsync(database, cancellationToken).ConfigureAwait(false);
            var replica = new ReplicaWriter(database, TimeProvider.System, "bench");
            long total = 0, firstBatch = 0, first = 0, last = 0;
            replica.Applied += (images, _, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                if (Interlocked.Add(ref total, images.Count) == images.Count)
                {
                    first = now;
                    firstBatch = images.Count;
                }

                last = now;
            };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var consumer = new PlantSyncConsumer(
                replica,
                new PlantSyncConsumerOptions { Bootstrap = bootstrap, GroupId = $"bench-{backend}-{maxBatch}-{Guid.NewGuid():N}", MaxBatch = maxBatch },
                loggerFactory.CreateLogger("weir.plant-sync"));
            var running = consumer.RunAsync(stop.Token);
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref total) < options.ApplyChanges)
            {
                if (running.IsFaulted)
                {
                    await running.ConfigureAwait(false);
                }

                if (deadline.Elapsed > TimeSpan.FromMinutes(30))
                {
                    throw new TimeoutException($"{backend}: only {total} of {options.ApplyChanges} changes applied in 30 minutes");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellationAsync(running).ConfigureAwait(false);
            // Timed from the end of the first batch to the end of the last, so joining the group is not counted.
            var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
            var mode = maxBatch == 1 ? "one record per transaction" : $"batched (up to {maxBatch} per transaction)";
            return new ApplyResult(backend, mode, (int)(total - firstBatch), seconds);
        }
        finally
        {
            await cleanup().ConfigureAwait(false);
        }
    }

    /// <summary>A new empty database: an SQLite file in the work folder, or a new schema on the PostgreSQL server (dropped after).</summary>
    private async Task<(string Target, Func<Task> Cleanup)> NewDatabaseAsync(string backend, string name, CancellationToken cancellationToken)
    {
        if (backend == "SQLite")
        {
            var file = Path.Combine(options.WorkFolder, $"{name}-{Guid.NewGuid():N}.db");
            return (file, () => Task.CompletedTask);
        }

        var schema = $"weir_bench_{Guid.NewGuid():N}";
        await using (var server = SqlDatabase.Open(options.Postgres!))
        {
            await using var connection = await server.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync($"CREATE SCHEMA {schema}", cancellationToken).ConfigureAwait(false);
        }

        var target = new NpgsqlConnectionStringBuilder(options.Postgres) { SearchPath = schema }.ConnectionString;
        return (target, async () =>
        {
            await using var server = SqlDatabase.Open(options.Postgres!);
            await using var connection = await server.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await connection.ExecuteAsync($"DROP SCHEMA {schema} CASCADE", CancellationToken.None).ConfigureAwait(false);
        });
    }

    /// <summary>Every change since <paramref name="since"/>, with the bytes its Kafka message carried and its size as stored.</summary>
    private static async Task<(List<(string Plant, long Id, long ChangedAt)> Changes, long WireBytes, long StoredBytes)> ChangeLogAsync(
        Outbox outbox, long since, CancellationToken cancellationToken)
    {
        var changes = new List<(string, long, long)>();
        long wire = 0, stored = 0, after = 0;
        while (true)
        {
            var page = await outbox.ReadAfterAsync(after, 1000, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var change in page)
            {
                if (change.ChangedAt >= since)
                {
                    changes.Add((change.Plant, change.Id, change.ChangedAt));
                    wire += change.Payload.Length + Encoding.UTF8.GetByteCount(Plants.Key(change.Plant, change.Id));
                    stored += BatchSynchronizer.StoredSize(PlantImageJson.Parse(change.Payload, change.Plant));
                }
            }

            after = page[^1].Seq;
        }

        return (changes, wire, stored);
    }

    private async Task<bool> WaitEqualAsync(SqlDatabase producer, SqlDatabase consumer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // A cheap fingerprint first (count and sum of change times); the full record-for-record comparison, which
            // reads every image, only once the fingerprints agree.
            if (await FingerprintAsync(producer, cancellationToken).ConfigureAwait(false) == await FingerprintAsync(consumer, cancellationToken).ConfigureAwait(false))
            {
                var differences = await ReplicaComparison.DifferencesAsync(producer, consumer, cancellationToken, limit: 3).ConfigureAwait(false);
                if (differences.Count == 0)
                {
                    return true;
                }

                _log.LogWarning("{Consumer} differs from the producer: {Differences}", consumer.Description, string.Join("; ", differences));
            }

            if (deadline.Elapsed > timeout)
            {
                _log.LogError("{Consumer} still differs from the producer after {Timeout}", consumer.Description, timeout);
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(long?, long?)> FingerprintAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var count = connection.Command("SELECT COUNT(*) FROM plant_images");
        await using var sum = connection.Command("SELECT SUM(changed_at % 1000000007) FROM plant_images");
        return (await count.ScalarInt64Async(cancellationToken).ConfigureAwait(false), await sum.ScalarInt64Async(cancellationToken).ConfigureAwait(false));
    }

    private static async Task IgnoreCancellationAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
    }
}
