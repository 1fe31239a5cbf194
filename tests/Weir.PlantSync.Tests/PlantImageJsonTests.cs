using System.Text;
using Weir.Pipelines.PlantSync;

namespace Weir.PlantSync.Tests;

public sealed class PlantImageJsonTests
{
    private static readonly PlantImage Sample = new()
    {
        Plant = Plants.Tomato,
        Id = 2158,
        CameraId = 1,
        Data = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46],
        Latitude = 48.476563,
        Longitude = 16.585654,
        CreatedAt = PlantTime.ToMicros(new DateTime(2023, 10, 9, 18, 43, 37, DateTimeKind.Utc).AddTicks(5006880)),
        UpdatedAt = PlantTime.ToMicros(new DateTime(2023, 10, 9, 18, 43, 37, DateTimeKind.Utc).AddTicks(5006920)),
        IsActive = false,
        IsDeleted = false,
    };

    [Fact]
    public void The_record_is_written_in_the_original_schema()
    {
        var json = Encoding.UTF8.GetString(PlantImageJson.Serialize(Sample));

        Assert.Equal(
            """{"id":2158,"camera_id":1,"data":"ffd8ffe000104a46","gps_coordinates":[48.476563,16.585654],"created_at":"2023-10-09T18:43:37.500688","updated_at":"2023-10-09T18:43:37.500692","is_active":false,"is_deleted":false,"disease":null,"percentage":null}""",
            json);
    }

    [Fact]
    public void A_record_reads_back_exactly()
    {
        var labelled = Sample with { Disease = "Leaf Mold", Percentage = 0.995, IsActive = true, UpdatedAt = null };

        var parsed = PlantImageJson.Parse(PlantImageJson.Serialize(labelled), Plants.Tomato);

        Assert.True(labelled.SameAs(parsed), parsed.ToString());
    }

    [Fact]
    public void Records_from_python_producers_parse_timestamps_with_or_without_fractions_and_uppercase_hex()
    {
        var json = """
            {"id": 1, "camera_id": 1, "data": "FFD8FF", "gps_coordinates": [48.58, 16.95], "created_at": "2023-10-08T15:39:49",
             "updated_at": "2023-10-08T15:39:49.123123+00:00", "is_active": true, "is_deleted": false, "disease": null,
             "percentage": null, "_id": "6522c1f5e0f7a3c9d1b2a3f4"}
            """u8;

        var image = PlantImageJson.Parse(json, Plants.Potato);

        Assert.Equal([0xFF, 0xD8, 0xFF], image.Data);
        Assert.Equal("2023-10-08T15:39:49.000000", PlantTime.ToText(image.CreatedAt));
        Assert.Equal("2023-10-08T15:39:49.123123", PlantTime.ToText(image.UpdatedAt!.Value));
    }

    [Theory]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"id": 1""", "not valid JSON")]
    [InlineData("""{"id": 1}""", "lacks camera_id, data, gps_coordinates")]
    [InlineData("""{"id": "1", "camera_id": 1}""", "id must be an integer")]
    [InlineData("""{"id": 1, "camera_id": 1, "data": "abc"}""", "hex string of whole bytes")]
    [InlineData("""{"id": 1, "camera_id": 1, "data": "zz"}""", "hex string of whole bytes")]
    [InlineData("""{"id": 1, "camera_id": 1, "gps_coordinates": [1, 2, 3]}""", "gps_coordinates must be [latitude, longitude]")]
    [InlineData("""{"id": 1, "created_at": "yesterday"}""", "created_at must be an ISO-8601 timestamp")]
    [InlineData("""{"id": 1, "is_active": 1}""", "is_active must be true or false")]
    public void Malformed_records_name_what_is_wrong(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => PlantImageJson.Parse(Encoding.UTF8.GetBytes(json), Plants.Potato));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("potato", "potato-17", null)]
    [InlineData("potato", "17", null)]
    [InlineData("potato", null, null)]
    [InlineData("potato", "tomato-17", "does not name record potato/17")]
    [InlineData("banana", "banana-17", "topic 'banana' is not a plant topic")]
    public void The_consumer_checks_topic_and_key_against_the_record(string topic, string? key, string? error)
    {
        var value = PlantImageJson.Serialize(Sample with { Plant = Plants.Potato, Id = 17 });
        var keyBytes = key is null ? null : Encoding.UTF8.GetBytes(key);

        if (error is null)
        {
            Assert.Equal(17, PlantSyncConsumer.Decode(topic, keyBytes, value).Id);
        }
        else
        {
            Assert.Contains(error, Assert.Throws<FormatException>(() => PlantSyncConsumer.Decode(topic, keyBytes, value)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_empty_message_is_rejected() =>
        Assert.Contains("no value", Assert.Throws<FormatException>(() => PlantSyncConsumer.Decode("potato", null, [])).Message, StringComparison.Ordinal);
}
