using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.PlantImages;

namespace Weir.PlantSync.Tests;

/// <summary>The consumer side serves the same routes and schemas as the producer side, read-only.</summary>
public sealed class ConsumerSideContractTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly string[] ReadRoutes =
    [
        "/ping", "/image-plant/is-deployed/", "/image-plant/potato/1", "/image-plant/potato/2", "/image-plant/potato/99",
        "/image-plant/potato/total/", "/image-plant/tomato/total", "/image-plant/potato/?from_id=2&limit=2",
        "/image-plant/potato/?is_active=true", "/image-plant/potato/?has_disease=true&limit=100", "/image-plant/pepper/random/",
        "/image-plant/potato/random/?has_disease=true&is_active=false", "/image-plant/banana/1", "/image-plant/potato/abc",
        "/image-plant/potato/?limit=5000",
    ];

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Every_read_route_answers_exactly_as_on_the_producer_side(string backend)
    {
        var (database, _) = await databases.CreateAsync(backend, "sides");
        await using var producer = await ImageApiHarness.StartAsync(database, PlantImageSide.Producer);
        await using var consumer = await ImageApiHarness.StartAsync(database, PlantImageSide.Consumer);
        var store = producer.Store;
        var jpeg = LeafImages.Jpeg(4, diseased: true, size: 16);
        for (var i = 0; i < 4; i++)
        {
            await store.CreateAsync(Plants.Potato, i, 48, 16, jpeg, new Random(i), CancellationToken.None);
        }

        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(2, Disease: "Late Blight", Percentage: 0.7), CancellationToken.None);
        await store.UpdateAsync(Plants.Potato, new PlantImageUpdate(3, IsActive: true), CancellationToken.None);
        await store.DeleteAsync(Plants.Potato, 4, CancellationToken.None);
        await store.MarkDeployedAsync(CancellationToken.None);

        foreach (var route in ReadRoutes)
        {
            var expected = await producer.SendAsync(HttpMethod.Get, route);
            var actual = await consumer.SendAsync(HttpMethod.Get, route);
            Assert.True(expected.Status == actual.Status, $"{route}: producer {expected.Status}, consumer {actual.Status}");
            if (!route.Contains("random", StringComparison.Ordinal) || expected.Status != 200)
            {
                Assert.Equal(expected.Body.GetRawText(), actual.Body.GetRawText());
            }
        }
    }

    [Theory]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", """{"camera_id": 1, "gps_coordinates": [48, 16]}""")]
    [InlineData(PlantDatabases.Postgres, "POST", "/image-plant/potato/", """{"id": 1, "is_active": true}""")]
    [InlineData(PlantDatabases.Sqlite, "DELETE", "/image-plant/potato/1", null)]
    public async Task Writes_are_405_naming_the_producer_and_change_nothing(string backend, string method, string path, string? body)
    {
        var (database, _) = await databases.CreateAsync(backend, "readonly");
        await using var consumer = await ImageApiHarness.StartAsync(database, PlantImageSide.Consumer, producerApi: "http://producer.example:8000");
        await consumer.Store.CreateAsync(Plants.Potato, 1, 48, 16, LeafImages.Jpeg(1, false, 16), new Random(1), CancellationToken.None);
        var before = (await consumer.Store.GetAsync(Plants.Potato, 1, CancellationToken.None))!;

        var (status, answer, response) = await consumer.SendAsync(new HttpMethod(method), path, body);

        Assert.Equal(405, status);
        Assert.Equal("GET", response.Content.Headers.Allow.Single());
        Assert.Contains("read-only replica", answer.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("http://producer.example:8000", answer.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(before.SameAs((await consumer.Store.GetAsync(Plants.Potato, 1, CancellationToken.None))!));
        Assert.Equal(1, await consumer.Store.CountAsync(Plants.Potato, CancellationToken.None));
    }
}
