using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;

namespace Weir.PlantSync.Tests;

public sealed class BatchSynchronizerTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly byte[] Jpeg = LeafImages.Jpeg(seed: 11, diseased: true, size: 16);

    [Theory]
    [InlineData(PlantDatabases.Sqlite, PlantDatabases.Sqlite)]
    [InlineData(PlantDatabases.Postgres, PlantDatabases.Postgres)]
    [InlineData(PlantDatabases.Sqlite, PlantDatabases.Postgres)]
    public async Task Each_run_copies_what_changed_since_the_last_and_only_the_latest_version(string producerBackend, string consumerBackend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        // No overlap here, so the counts show exactly what changed; the overlap has its own test below.
        var (store, consumer, synchronizer) = await CreateAsync(producerBackend, consumerBackend, time, TimeSpan.Zero);
        var random = new Random(1);
        for (var i = 0; i < 7; i++)
        {
            await store.CreateAsync(Plants.Potato, i, 48, 16, Jpeg, random, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await synchronizer.SyncOnceAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        // Three changes to one record and one to another: the batch moves two records, the stream would move four.
        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(2, IsActive: true), CancellationToken.None);
        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(2, Disease: "Healthy", Percentage: 0.9), CancellationToken.None);
        await store.DeleteAsync(Plants.Potato, 2, CancellationToken.None);
        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(5, CameraId: 9), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        var second = await synchronizer.SyncOnceAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        var idle = await synchronizer.SyncOnceAsync(CancellationToken.None);

        Assert.Equal((7, 7), (first.Read, first.Applied));
        Assert.Equal((2, 2), (second.Read, second.Applied));
        Assert.Equal((0, 0), (idle.Read, idle.Applied));
        Assert.Equal(second.Bytes, 2 * (Jpeg.Length + "potato".Length + 66) + "Healthy".Length);
        Assert.Empty(await ReplicaComparison.DifferencesAsync(store.Database, consumer, CancellationToken.None));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task The_overlap_rereads_late_commits_and_rereads_are_no_ops(string backend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var (store, consumer, synchronizer) = await CreateAsync(backend, backend, time);
        await store.CreateAsync(Plants.Pepper, 1, 48, 16, Jpeg, new Random(1), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(10));
        await store.CreateAsync(Plants.Pepper, 2, 48, 16, Jpeg, new Random(1), CancellationToken.None);
        await synchronizer.SyncOnceAsync(CancellationToken.None);

        // A record stamped 2 s before the watermark but committed after the run (a slow transaction) is still copied.
        var replica = new ReplicaWriter(store.Database, time, "test");
        var late = (await store.GetAsync(Plants.Pepper, 1, CancellationToken.None))! with { Id = 3, UpdatedAt = PlantTime.NowMicros(time) - 2_000_000 };
        await replica.ApplyAsync([late], CancellationToken.None);
        var next = await synchronizer.SyncOnceAsync(CancellationToken.None);

        Assert.Equal(2, next.Read);
        Assert.Equal(1, next.Applied);
        Assert.Empty(await ReplicaComparison.DifferencesAsync(store.Database, consumer, CancellationToken.None));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task It_runs_at_once_then_every_interval_and_a_new_instance_continues_from_the_stored_watermark(string backend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var (store, consumer, synchronizer) = await CreateAsync(backend, backend, time);
        await store.CreateAsync(Plants.Tomato, 1, 48, 16, Jpeg, new Random(1), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var running = synchronizer.RunAsync(stop.Token);

        await WaitForCountAsync(consumer, 1);
        await store.CreateAsync(Plants.Tomato, 2, 48, 16, Jpeg, new Random(1), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(599));
        var beforeInterval = await CountAsync(consumer);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitForCountAsync(consumer, 2);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        await store.UpdateAsync(Plants.Tomato, new PlantImageUpdate(1, IsActive: true), CancellationToken.None);
        var restarted = new BatchSynchronizer(store.Database, new ReplicaWriter(consumer, time, "batch"), time, NullLogger.Instance);
        var run = await restarted.SyncOnceAsync(CancellationToken.None);

        Assert.Equal(1, beforeInterval);
        Assert.Equal(1, run.Applied);
        Assert.Empty(await ReplicaComparison.DifferencesAsync(store.Database, consumer, CancellationToken.None));
    }

    private async Task<(PlantImageStore Store, SqlDatabase Consumer, BatchSynchronizer Synchronizer)> CreateAsync(
        string producerBackend, string consumerBackend, TimeProvider time, TimeSpan? overlap = null)
    {
        var (producer, _) = await databases.CreateAsync(producerBackend, "producer");
        var (consumer, _) = await databases.CreateAsync(consumerBackend, "consumer");
        var store = new PlantImageStore(producer, time);
        await store.EnsureSchemaAsync(CancellationToken.None);
        await PlantImageSchema.EnsureAsync(consumer, CancellationToken.None);
        var options = new BatchSynchronizerOptions { Overlap = overlap ?? TimeSpan.FromSeconds(5) };
        var synchronizer = new BatchSynchronizer(producer, new ReplicaWriter(consumer, time, "batch"), time, NullLogger.Instance, options);
        return (store, consumer, synchronizer);
    }

    private static async Task<long> CountAsync(SqlDatabase database) =>
        (await ReplicaComparison.ReadAllAsync(database, CancellationToken.None)).Count;

    private static Task WaitForCountAsync(SqlDatabase database, long count) =>
        Weir.Testing.Eventually.HoldsAsync(async () => await CountAsync(database) == count, TimeSpan.FromSeconds(20), () => $"consumer never held {count} records");
}
