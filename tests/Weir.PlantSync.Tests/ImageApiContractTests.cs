using System.Text.Json;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.PlantImages;

namespace Weir.PlantSync.Tests;

/// <summary>Every route of the producer-side image API: status codes, bodies, 404s and rejected requests, on both databases.</summary>
public sealed class ImageApiContractTests(PlantDatabases databases) : IClassFixture<PlantDatabases>
{
    private static readonly byte[] Jpeg = LeafImages.Jpeg(seed: 7, diseased: true, size: 32);
    private static readonly string JpegHex = Convert.ToHexStringLower(Jpeg);

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Ping_answers_alive(string backend)
    {
        await using var api = await StartAsync(backend);

        var (status, body, _) = await api.SendAsync(HttpMethod.Get, "/ping");

        Assert.Equal(200, status);
        Assert.Equal("Hello, I am alive", body.GetString());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Is_deployed_is_404_until_the_flag_is_set(string backend)
    {
        await using var api = await StartAsync(backend);

        var before = await api.SendAsync(HttpMethod.Get, "/image-plant/is-deployed/");
        await api.Store.MarkDeployedAsync(CancellationToken.None);
        var after = await api.SendAsync(HttpMethod.Get, "/image-plant/is-deployed/");

        Assert.Equal(404, before.Status);
        Assert.Equal("Is deployed flag is not found", before.Body.GetProperty("detail").GetString());
        Assert.Equal(200, after.Status);
        Assert.True(after.Body.GetProperty("is_deployed").GetBoolean());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Create_returns_the_new_record_and_get_returns_it_again(string backend)
    {
        await using var api = await StartAsync(backend);

        var (status, created, _) = await api.SendAsync(HttpMethod.Put, "/image-plant/potato/",
            $$"""{"camera_id": 3, "gps_coordinates": [48.476563, 16.585654], "data": "{{JpegHex}}"}""");
        var second = await api.SendAsync(HttpMethod.Put, "/image-plant/potato/", $$"""{"camera_id": 4, "gps_coordinates": [48.5, 16.6], "data": "{{JpegHex}}"}""");
        var fetched = await api.SendAsync(HttpMethod.Get, "/image-plant/potato/1");

        Assert.Equal(200, status);
        Assert.Equal(1, created.GetProperty("id").GetInt64());
        Assert.Equal(2, second.Body.GetProperty("id").GetInt64());
        Assert.Equal(3, created.GetProperty("camera_id").GetInt64());
        Assert.Equal(JpegHex, created.GetProperty("data").GetString());
        Assert.Equal([48.476563, 16.585654], created.GetProperty("gps_coordinates").EnumerateArray().Select(e => e.GetDouble()));
        Assert.False(created.GetProperty("is_active").GetBoolean());
        Assert.False(created.GetProperty("is_deleted").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("disease").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("percentage").ValueKind);
        Assert.Equal(created.GetProperty("created_at").GetString(), created.GetProperty("updated_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", created.GetProperty("created_at").GetString());
        Assert.Equal(200, fetched.Status);
        Assert.Equal(created.GetRawText(), fetched.Body.GetRawText());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Create_without_data_copies_an_existing_image_or_says_there_is_none(string backend)
    {
        await using var api = await StartAsync(backend);

        var empty = await api.SendAsync(HttpMethod.Put, "/image-plant/pepper/", """{"camera_id": 1, "gps_coordinates": [48.5, 16.6]}""");
        await api.SendAsync(HttpMethod.Put, "/image-plant/pepper/", $$"""{"camera_id": 1, "gps_coordinates": [48.5, 16.6], "data": "{{JpegHex}}"}""");
        var copied = await api.SendAsync(HttpMethod.Put, "/image-plant/pepper/", """{"camera_id": 2, "gps_coordinates": [48.1, 16.2]}""");

        Assert.Equal(409, empty.Status);
        Assert.Contains("no pepper images", empty.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, copied.Status);
        Assert.Equal(2, copied.Body.GetProperty("id").GetInt64());
        Assert.Equal(JpegHex, copied.Body.GetProperty("data").GetString());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Update_changes_only_the_given_fields_and_moves_updated_at(string backend)
    {
        await using var api = await StartAsync(backend);
        var created = (await CreateAsync(api, "tomato")).Body;

        var (status, updated, _) = await api.SendAsync(HttpMethod.Post, "/image-plant/tomato/",
            """{"id": 1, "camera_id": null, "gps_coordinates": null, "disease": "Leaf Mold", "percentage": 0.995, "is_active": true, "is_deleted": null}""");
        var partial = await api.SendAsync(HttpMethod.Post, "/image-plant/tomato/", """{"id": 1, "camera_id": 9}""");

        Assert.Equal(200, status);
        Assert.Equal("Leaf Mold", updated.GetProperty("disease").GetString());
        Assert.Equal(0.995, updated.GetProperty("percentage").GetDouble());
        Assert.True(updated.GetProperty("is_active").GetBoolean());
        Assert.False(updated.GetProperty("is_deleted").GetBoolean());
        Assert.Equal(created.GetProperty("camera_id").GetInt64(), updated.GetProperty("camera_id").GetInt64());
        Assert.Equal(created.GetProperty("gps_coordinates").GetRawText(), updated.GetProperty("gps_coordinates").GetRawText());
        Assert.Equal(created.GetProperty("created_at").GetString(), updated.GetProperty("created_at").GetString());
        Assert.True(string.CompareOrdinal(updated.GetProperty("updated_at").GetString(), created.GetProperty("updated_at").GetString()) > 0);
        Assert.Equal(9, partial.Body.GetProperty("camera_id").GetInt64());
        Assert.Equal("Leaf Mold", partial.Body.GetProperty("disease").GetString());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Update_and_delete_of_a_missing_image_are_404(string backend)
    {
        await using var api = await StartAsync(backend);

        var update = await api.SendAsync(HttpMethod.Post, "/image-plant/potato/", """{"id": 99, "is_active": true}""");
        var delete = await api.SendAsync(HttpMethod.Delete, "/image-plant/potato/99");
        var get = await api.SendAsync(HttpMethod.Get, "/image-plant/potato/99");

        foreach (var (status, body, _) in new[] { update, delete, get })
        {
            Assert.Equal(404, status);
            Assert.Equal("Image with id 99 not found", body.GetProperty("detail").GetString());
        }
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Delete_is_soft_and_total_still_counts_the_image(string backend)
    {
        await using var api = await StartAsync(backend);
        await CreateAsync(api, "potato");
        await CreateAsync(api, "potato");

        var (status, body, _) = await api.SendAsync(HttpMethod.Delete, "/image-plant/potato/1");
        var deleted = await api.SendAsync(HttpMethod.Get, "/image-plant/potato/1");
        var total = await api.SendAsync(HttpMethod.Get, "/image-plant/potato/total/");
        var otherPlant = await api.SendAsync(HttpMethod.Get, "/image-plant/tomato/total");

        Assert.Equal(200, status);
        Assert.Equal("Image deleted successfully", body.GetProperty("message").GetString());
        Assert.True(deleted.Body.GetProperty("is_deleted").GetBoolean());
        Assert.Equal(200, total.Status);
        Assert.Equal(2, total.Body.GetProperty("total_images").GetInt64());
        Assert.Equal(0, otherPlant.Body.GetProperty("total_images").GetInt64());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task List_pages_by_id_and_filters(string backend)
    {
        await using var api = await StartAsync(backend);
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(api, "pepper");
        }

        await api.SendAsync(HttpMethod.Post, "/image-plant/pepper/", """{"id": 2, "is_active": true, "disease": "Healthy", "percentage": 0.9}""");
        await api.SendAsync(HttpMethod.Post, "/image-plant/pepper/", """{"id": 4, "is_active": true}""");

        var page = await api.SendAsync(HttpMethod.Get, "/image-plant/pepper/?from_id=2&limit=2");
        var active = await api.SendAsync(HttpMethod.Get, "/image-plant/pepper/?is_active=true");
        var activeHealthy = await api.SendAsync(HttpMethod.Get, "/image-plant/pepper/?is_active=true&has_disease=true");
        var unlabelled = await api.SendAsync(HttpMethod.Get, "/image-plant/pepper?has_disease=false&limit=100");

        Assert.Equal(200, page.Status);
        Assert.Equal([2L, 3L], Ids(page.Body));
        Assert.Equal(5, page.Body.GetProperty("total_images").GetInt64());
        Assert.Equal([2L, 4L], Ids(active.Body));
        Assert.Equal(2, active.Body.GetProperty("total_images").GetInt64());
        Assert.Equal([2L], Ids(activeHealthy.Body));
        Assert.Equal([1L, 3L, 4L, 5L], Ids(unlabelled.Body));
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Random_picks_a_matching_image_or_answers_404(string backend)
    {
        await using var api = await StartAsync(backend);
        var none = await api.SendAsync(HttpMethod.Get, "/image-plant/tomato/random/");
        for (var i = 0; i < 4; i++)
        {
            await CreateAsync(api, "tomato");
        }

        await api.SendAsync(HttpMethod.Post, "/image-plant/tomato/", """{"id": 3, "is_active": true}""");
        var seen = new HashSet<long>();
        for (var i = 0; i < 20; i++)
        {
            var (status, body, _) = await api.SendAsync(HttpMethod.Get, "/image-plant/tomato/random/?is_active=true");
            Assert.Equal(200, status);
            seen.Add(body.GetProperty("id").GetInt64());
        }

        var noMatch = await api.SendAsync(HttpMethod.Get, "/image-plant/tomato/random/?has_disease=true");

        Assert.Equal(404, none.Status);
        Assert.Equal([3L], seen);
        Assert.Equal(404, noMatch.Status);
        Assert.Equal("There are no images with the specified filter", noMatch.Body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", "{not json", "not valid JSON")]
    [InlineData(PlantDatabases.Postgres, "PUT", "/image-plant/potato/", "{not json", "not valid JSON")]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", "[1, 2]", "must be a JSON object")]
    [InlineData(PlantDatabases.Postgres, "PUT", "/image-plant/potato/", """{"gps_coordinates": [1, 2]}""", "camera_id is required")]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", """{"camera_id": "one", "gps_coordinates": [1, 2]}""", "camera_id must be a whole number")]
    [InlineData(PlantDatabases.Postgres, "PUT", "/image-plant/potato/", """{"camera_id": 1}""", "gps_coordinates is required")]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", """{"camera_id": 1, "gps_coordinates": [1]}""", "gps_coordinates must be [latitude, longitude]")]
    [InlineData(PlantDatabases.Postgres, "PUT", "/image-plant/potato/", """{"camera_id": 1, "gps_coordinates": [91, 2]}""", "latitude from -90 to 90")]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/potato/", """{"camera_id": 1, "gps_coordinates": [1, 2], "data": "zz"}""", "hex string")]
    [InlineData(PlantDatabases.Postgres, "PUT", "/image-plant/potato/", """{"camera_id": 1, "gps_coordinates": [1, 2], "data": "89504e47"}""", "must be a JPEG")]
    [InlineData(PlantDatabases.Sqlite, "POST", "/image-plant/potato/", """{"is_active": true}""", "id is required")]
    [InlineData(PlantDatabases.Postgres, "POST", "/image-plant/potato/", """{"id": 1, "is_active": "yes"}""", "is_active must be true, false or null")]
    [InlineData(PlantDatabases.Sqlite, "POST", "/image-plant/potato/", """{"id": 1, "percentage": 101}""", "percentage must be a number from 0 to 100")]
    [InlineData(PlantDatabases.Postgres, "POST", "/image-plant/potato/", """{"id": 1, "disease": 5}""", "disease must be a string")]
    [InlineData(PlantDatabases.Sqlite, "GET", "/image-plant/potato/abc", null, "image id 'abc' is not a whole number")]
    [InlineData(PlantDatabases.Postgres, "DELETE", "/image-plant/potato/-1", null, "image id '-1' is not a whole number")]
    [InlineData(PlantDatabases.Sqlite, "GET", "/image-plant/potato/?limit=0", null, "limit must be a whole number from 1 to 1000")]
    [InlineData(PlantDatabases.Postgres, "GET", "/image-plant/potato/?is_active=maybe", null, "is_active must be true or false")]
    [InlineData(PlantDatabases.Sqlite, "GET", "/image-plant/potato/random/?has_disease=2", null, "has_disease must be true or false")]
    public async Task Bad_requests_are_422_with_a_message(string backend, string method, string path, string? body, string message)
    {
        await using var api = await StartAsync(backend);

        var (status, answer, _) = await api.SendAsync(new HttpMethod(method), path, body);

        Assert.Equal(422, status);
        Assert.Contains(message, answer.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PlantDatabases.Sqlite, "GET", "/image-plant/banana/1")]
    [InlineData(PlantDatabases.Postgres, "GET", "/image-plant/banana/total/")]
    [InlineData(PlantDatabases.Sqlite, "PUT", "/image-plant/banana/")]
    [InlineData(PlantDatabases.Postgres, "DELETE", "/image-plant/banana/1")]
    public async Task An_unknown_plant_is_404_naming_the_plants(string backend, string method, string path)
    {
        await using var api = await StartAsync(backend);

        var (status, answer, _) = await api.SendAsync(new HttpMethod(method), path, method == "PUT" ? """{"camera_id": 1, "gps_coordinates": [1, 2]}""" : null);

        Assert.Equal(404, status);
        Assert.Equal("Unknown plant 'banana'; plants are pepper, potato, tomato", answer.GetProperty("detail").GetString());
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Every_write_puts_the_whole_record_in_the_outbox_in_the_same_order(string backend)
    {
        await using var api = await StartAsync(backend);
        var created = await CreateAsync(api, "potato");
        var updated = await api.SendAsync(HttpMethod.Post, "/image-plant/potato/", """{"id": 1, "disease": "Late Blight", "percentage": 0.8}""");
        var deleted = await api.SendAsync(HttpMethod.Delete, "/image-plant/potato/1");
        var final = await api.SendAsync(HttpMethod.Get, "/image-plant/potato/1");
        await api.SendAsync(HttpMethod.Post, "/image-plant/potato/", """{"id": 7}""");

        var events = await new Outbox(api.Store.Database).ReadUnsentAsync(100, CancellationToken.None);

        Assert.Equal(200, deleted.Status);
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(("potato", 1L), (e.Plant, e.Id)));
        Assert.Equal(created.Body.GetRawText(), System.Text.Encoding.UTF8.GetString(events[0].Payload));
        Assert.Equal(updated.Body.GetRawText(), System.Text.Encoding.UTF8.GetString(events[1].Payload));
        Assert.Equal(final.Body.GetRawText(), System.Text.Encoding.UTF8.GetString(events[2].Payload));
        Assert.True(events[0].ChangedAt < events[1].ChangedAt && events[1].ChangedAt < events[2].ChangedAt);
    }

    [Theory, InlineData(PlantDatabases.Sqlite), InlineData(PlantDatabases.Postgres)]
    public async Task Metrics_are_served_in_prometheus_text(string backend)
    {
        await using var api = await StartAsync(backend);

        using var response = await api.Http.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    private async Task<ImageApiHarness> StartAsync(string backend)
    {
        var (database, _) = await databases.CreateAsync(backend, "api");
        return await ImageApiHarness.StartAsync(database, PlantImageSide.Producer);
    }

    private static async Task<(int Status, JsonElement Body)> CreateAsync(ImageApiHarness api, string plant)
    {
        var (status, body, _) = await api.SendAsync(HttpMethod.Put, $"/image-plant/{plant}/",
            $$"""{"camera_id": 1, "gps_coordinates": [48.5, 16.6], "data": "{{JpegHex}}"}""");
        Assert.Equal(200, status);
        return (status, body);
    }

    private static long[] Ids(JsonElement list) =>
        [.. list.GetProperty("image_list").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
}
