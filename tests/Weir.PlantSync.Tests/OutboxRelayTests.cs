using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;

namespace Weir.PlantSync.Tests;

public sealed class OutboxRelayTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly byte[] Jpeg = LeafImages.Jpeg(seed: 3, diseased: false, size: 16);

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Relay_publishes_every_event_once_in_order_and_marks_it_sent(string backend)
    {
        var (store, outbox) = await CreateAsync(backend);
        await MakeChangesAsync(store);
        var publisher = new RecordingPublisher();
        var relay = new OutboxRelay(outbox, publisher, TimeProvider.System, NullLogger.Instance, new OutboxRelayOptions { BatchSize = 4 });

        var rounds = new List<int>();
        int count;
        while ((count = await relay.RelayOnceAsync(CancellationToken.None)) > 0)
        {
            rounds.Add(count);
        }

        Assert.Equal([4, 4, 1], rounds);
        Assert.Equal(9, publisher.Published.Count);
        Assert.Equal(publisher.Published.Select(e => e.Seq).Order(), publisher.Published.Select(e => e.Seq));
        Assert.Equal(0, await outbox.CountUnsentAsync(CancellationToken.None));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task A_failed_publish_marks_nothing_and_the_next_round_sends_the_same_events(string backend)
    {
        var (store, outbox) = await CreateAsync(backend);
        await MakeChangesAsync(store);
        var publisher = new RecordingPublisher { FailBeforePublishing = true };
        var relay = new OutboxRelay(outbox, publisher, TimeProvider.System, NullLogger.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => relay.RelayOnceAsync(CancellationToken.None));
        var unsentAfterFailure = await outbox.CountUnsentAsync(CancellationToken.None);
        await relay.RelayOnceAsync(CancellationToken.None);

        Assert.Equal(9, unsentAfterFailure);
        Assert.Equal(9, publisher.Published.Count);
        Assert.Equal(0, await outbox.CountUnsentAsync(CancellationToken.None));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task A_crash_between_publishing_and_marking_only_resends_and_the_replica_ends_the_same(string backend)
    {
        var (store, outbox) = await CreateAsync(backend);
        await MakeChangesAsync(store);
        var publisher = new RecordingPublisher { CrashAfterPublishing = true };
        var relay = new OutboxRelay(outbox, publisher, TimeProvider.System, NullLogger.Instance, new OutboxRelayOptions { BatchSize = 5 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => relay.RelayOnceAsync(CancellationToken.None));
        // A new relay (the restarted process) finds the crashed batch still unsent.
        var restarted = new OutboxRelay(outbox, publisher, TimeProvider.System, NullLogger.Instance, new OutboxRelayOptions { BatchSize = 5 });
        while (await restarted.RelayOnceAsync(CancellationToken.None) > 0)
        {
        }

        var (replicaDatabase, _) = await databases.CreateAsync(backend, "replica");
        await PlantImageSchema.EnsureAsync(replicaDatabase, CancellationToken.None);
        var replica = new ReplicaWriter(replicaDatabase, TimeProvider.System, "stream");
        await replica.ApplyAsync([.. publisher.Published.Select(e => PlantImageJson.Parse(e.Payload, e.Plant))], CancellationToken.None);

        Assert.Equal(14, publisher.Published.Count);
        Assert.Equal(publisher.Published.Take(5).Select(e => e.Seq), publisher.Published.Skip(5).Take(5).Select(e => e.Seq));
        Assert.Equal(9, publisher.Published.Select(e => e.Seq).Distinct().Count());
        Assert.Empty(await ReplicaComparison.DifferencesAsync(store.Database, replicaDatabase, CancellationToken.None));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Concurrent_writes_to_one_record_are_all_kept_and_their_events_are_ordered(string backend)
    {
        var (store, outbox) = await CreateAsync(backend);
        await store.CreateAsync(Plants.Tomato, 1, 48, 16, Jpeg, new Random(1), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(1, 40).Select(camera => Task.Run(() =>
            store.UpdateAsync(Plants.Tomato, new PlantImageUpdate(1, CameraId: camera), CancellationToken.None))));

        var events = await outbox.ReadUnsentAsync(100, CancellationToken.None);
        var cameras = events.Skip(1).Select(e => PlantImageJson.Parse(e.Payload, Plants.Tomato).CameraId).ToList();
        Assert.Equal(41, events.Count);
        Assert.Equal(Enumerable.Range(1, 40).Select(c => (long)c), cameras.Order());
        // Each event's changed_at is later than the one before it: the order downstream consumers rely on.
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.ChangedAt < pair.Second.ChangedAt));
        Assert.Equal(cameras[^1], (await store.GetAsync(Plants.Tomato, 1, CancellationToken.None))!.CameraId);
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Published_events_are_pruned_after_the_retention(string backend)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var (store, outbox) = await CreateAsync(backend, time);
        await MakeChangesAsync(store);
        var relay = new OutboxRelay(outbox, new RecordingPublisher(), time, NullLogger.Instance);
        await relay.RelayOnceAsync(CancellationToken.None);

        var keptEarly = await outbox.PruneAsync(PlantTime.NowMicros(time) - (long)TimeSpan.FromHours(1).TotalMicroseconds, CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));
        var pruned = await outbox.PruneAsync(PlantTime.NowMicros(time) - (long)TimeSpan.FromHours(1).TotalMicroseconds, CancellationToken.None);

        Assert.Equal(0, keptEarly);
        Assert.Equal(9, pruned);
        Assert.Empty(await outbox.ReadAfterAsync(0, 100, CancellationToken.None));
    }

    private async Task<(PlantImageStore Store, Outbox Outbox)> CreateAsync(string backend, TimeProvider? time = null)
    {
        var (database, _) = await databases.CreateAsync(backend, "relay");
        var store = new PlantImageStore(database, time ?? TimeProvider.System);
        await store.EnsureSchemaAsync(CancellationToken.None);
        return (store, new Outbox(database));
    }

    /// <summary>Nine changes over two plants: creates, updates, a delete.</summary>
    private static async Task MakeChangesAsync(PlantImageStore store)
    {
        var random = new Random(5);
        for (var i = 0; i < 3; i++)
        {
            await store.CreateAsync(Plants.Potato, i, 48, 16, Jpeg, random, CancellationToken.None);
            await store.CreateAsync(Plants.Pepper, i, 48, 16, i == 0 ? Jpeg : null, random, CancellationToken.None);
        }

        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(2, Disease: "Early Blight", Percentage: 0.7), CancellationToken.None);
        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(2, IsActive: true), CancellationToken.None);
        await store.DeleteAsync(Plants.Potato, 1, CancellationToken.None);
    }
}
