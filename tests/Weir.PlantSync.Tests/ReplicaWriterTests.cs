using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;

namespace Weir.PlantSync.Tests;

/// <summary>The consumer-side upsert: reordered, replayed or duplicated records never take the replica back.</summary>
public sealed class ReplicaWriterTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Newer_versions_replace_older_ones_and_older_ones_are_ignored(string backend)
    {
        var (database, replica) = await CreateAsync(backend);
        var v1 = Version(1, changedAt: 1_000);
        var v2 = Version(1, changedAt: 2_000) with { Disease = "Late Blight", Percentage = 0.8 };
        var v3 = Version(1, changedAt: 3_000) with { Disease = "Late Blight", Percentage = 0.8, IsDeleted = true };

        var first = await replica.ApplyAsync([v1], CancellationToken.None);
        var newer = await replica.ApplyAsync([v3], CancellationToken.None);
        var older = await replica.ApplyAsync([v2, v1], CancellationToken.None);
        var replay = await replica.ApplyAsync([v3], CancellationToken.None);

        Assert.Equal([true], first.Applied);
        Assert.Equal([true], newer.Applied);
        Assert.Equal([false, false], older.Applied);
        Assert.Equal([false], replay.Applied);
        Assert.True(v3.SameAs((await GetAsync(database, 1))!));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Shuffled_and_replayed_streams_never_move_a_record_back(string backend)
    {
        var (database, replica) = await CreateAsync(backend);
        var random = new Random(42);
        // Five records with eight versions each, delivered in random order, every version twice, in random batches.
        var versions = Enumerable.Range(1, 5)
            .SelectMany(id => Enumerable.Range(1, 8).Select(v => Version(id, changedAt: v * 1_000, cameraId: v)))
            .ToList();
        var delivery = versions.Concat(versions).OrderBy(_ => random.Next()).ToList();
        var newestSeen = new Dictionary<long, long>();

        for (var start = 0; start < delivery.Count;)
        {
            var batch = delivery.Skip(start).Take(random.Next(1, 7)).ToList();
            start += batch.Count;
            await replica.ApplyAsync(batch, CancellationToken.None);
            foreach (var image in batch)
            {
                newestSeen[image.Id] = Math.Max(newestSeen.GetValueOrDefault(image.Id), image.ChangedAt);
            }

            // After every batch, each record holds the newest version delivered so far, never an older one.
            foreach (var (id, newest) in newestSeen)
            {
                Assert.Equal(newest, (await GetAsync(database, id))!.ChangedAt);
            }
        }

        Assert.All(Enumerable.Range(1, 5), id => Assert.Equal(8, GetAsync(database, id).Result!.CameraId));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Applied_reports_the_batch_and_its_commit_time(string backend)
    {
        var (_, replica) = await CreateAsync(backend);
        var seen = new List<(int Count, int Applied)>();
        replica.Applied += (images, applied, _) => seen.Add((images.Count, applied.Count(a => a)));

        await replica.ApplyAsync([Version(1, 1_000), Version(2, 1_000)], CancellationToken.None);
        await replica.ApplyAsync([Version(1, 1_000), Version(2, 2_000)], CancellationToken.None);

        Assert.Equal([(2, 2), (2, 1)], seen);
    }

    private async Task<(SqlDatabase Database, ReplicaWriter Replica)> CreateAsync(string backend)
    {
        var (database, _) = await databases.CreateAsync(backend, "replica");
        await PlantImageSchema.EnsureAsync(database, CancellationToken.None);
        return (database, new ReplicaWriter(database, TimeProvider.System, "stream"));
    }

    private static PlantImage Version(long id, long changedAt, long cameraId = 1) => new()
    {
        Plant = Plants.Potato,
        Id = id,
        CameraId = cameraId,
        Data = [0xFF, 0xD8, 0xFF, (byte)id],
        Latitude = 48.5,
        Longitude = 16.6,
        CreatedAt = 500,
        UpdatedAt = changedAt,
    };

    private static async Task<PlantImage?> GetAsync(SqlDatabase database, long id) =>
        await new PlantImageStore(database, TimeProvider.System).GetAsync(Plants.Potato, id, CancellationToken.None);
}
