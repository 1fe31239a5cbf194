using System.Data.Common;
using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

/// <summary>What the update route accepts: the record's id and the fields to change (null keeps the stored value).</summary>
internal sealed record PlantImageUpdate(
    long Id,
    long? CameraId = null,
    (double Latitude, double Longitude)? Coordinates = null,
    string? Disease = null,
    double? Percentage = null,
    bool? IsActive = null,
    bool? IsDeleted = null);

/// <summary>
/// A plant-image database: the queries the image API answers, and the producer's writes. Every write changes the
/// record and appends its event (the whole record after the change) to the outbox in one transaction, so a change
/// and its event are committed together or not at all; <see cref="OutboxRelay"/> publishes the events.
/// </summary>
internal sealed class PlantImageStore(SqlDatabase database, TimeProvider time)
{
    private readonly string _forUpdate = database.Dialect == SqlDialect.PostgreSql ? " FOR UPDATE" : "";

    /// <summary>Raised after a write commits (the relay wakes up instead of waiting for its next poll).</summary>
    public event Action? Committed;

    public SqlDatabase Database => database;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => PlantImageSchema.EnsureAsync(database, cancellationToken);

    public async Task<PlantImage?> GetAsync(string plant, long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, null, plant, id, "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every record of the plant, soft-deleted ones included (the original's <c>count_documents({})</c>).</summary>
    public async Task<long> CountAsync(string plant, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT COUNT(*) FROM plant_images WHERE plant = @plant");
        command.Add("@plant", plant);
        return await command.ScalarInt64Async(cancellationToken).ConfigureAwait(false) ?? 0;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> records with id &gt;= <paramref name="fromId"/> in id order, and how many records
    /// match the filters in all.
    /// </summary>
    public async Task<(List<PlantImage> Images, long Total)> ListAsync(
        string plant, long fromId, int limit, bool? isActive, bool? hasDisease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var images = new List<PlantImage>();
        await using (var command = connection.Command(""))
        {
            command.CommandText = $"SELECT {PlantImageSchema.Columns} FROM plant_images WHERE {Filter(command, plant, isActive, hasDisease)} AND id >= @from ORDER BY id LIMIT @limit";
            command.Add("@from", fromId);
            command.Add("@limit", (long)limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                images.Add(ReadImage(reader));
            }
        }

        await using var count = connection.Command("");
        count.CommandText = $"SELECT COUNT(*) FROM plant_images WHERE {Filter(count, plant, isActive, hasDisease)}";
        return (images, await count.ScalarInt64Async(cancellationToken).ConfigureAwait(false) ?? 0);
    }

    /// <summary>A random record matching the filters, or null when none does.</summary>
    public async Task<PlantImage?> RandomAsync(string plant, bool? isActive, bool? hasDisease, Random random, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lastId = await LastIdAsync(connection, null, plant, cancellationToken).ConfigureAwait(false);
        if (lastId == 0)
        {
            return null;
        }

        // Ids are dense (1..last), so a random starting id picks a random record without scanning the table; the
        // second query wraps around when no matching record lies above the start.
        var start = random.NextInt64(1, lastId + 1);
        foreach (var (condition, bound) in new[] { ("id >= @start", start), ("id < @start", start) })
        {
            await using var command = connection.Command("");
            command.CommandText = $"SELECT {PlantImageSchema.Columns} FROM plant_images WHERE {Filter(command, plant, isActive, hasDisease)} AND {condition} ORDER BY id LIMIT 1";
            command.Add("@start", bound);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return ReadImage(reader);
            }
        }

        return null;
    }

    public async Task<bool> IsDeployedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT COUNT(*) FROM plant_deployment WHERE is_deployed = @yes");
        command.Add("@yes", true);
        return await command.ScalarInt64Async(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Sets the flag that <c>GET /image-plant/is-deployed/</c> reports (the original's <c>is_deployed</c> collection).</summary>
    public async Task MarkDeployedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "INSERT INTO plant_deployment (name, is_deployed) VALUES ('plant-images', @yes) ON CONFLICT (name) DO UPDATE SET is_deployed = excluded.is_deployed");
        command.Add("@yes", true);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a record with the next id: inactive, not deleted, created and updated now. Without
    /// <paramref name="data"/> the image is copied from a random existing record of the plant (the original's
    /// behaviour); returns null when there is none to copy.
    /// </summary>
    public async Task<PlantImage?> CreateAsync(
        string plant, long cameraId, double latitude, double longitude, byte[]? data, Random random, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            var lastId = await LastIdAsync(connection, transaction, plant, cancellationToken).ConfigureAwait(false);
            var source = lastId == 0 ? null : await FirstFromAsync(connection, transaction, plant, random.NextInt64(1, lastId + 1), cancellationToken).ConfigureAwait(false)
                ?? await FirstFromAsync(connection, transaction, plant, 1, cancellationToken).ConfigureAwait(false);
            if (source is null)
            {
                return null;
            }

            data = source;
        }

        long id;
        await using (var next = connection.Command("UPDATE plant_image_ids SET last_id = last_id + 1 WHERE plant = @plant RETURNING last_id", transaction))
        {
            next.Add("@plant", plant);
            id = await next.ScalarInt64Async(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the id counter of {plant} is missing; was the schema created?");
        }

        var now = PlantTime.NowMicros(time);
        var image = new PlantImage
        {
            Plant = plant,
            Id = id,
            CameraId = cameraId,
            Data = data,
            Latitude = latitude,
            Longitude = longitude,
            CreatedAt = now,
            UpdatedAt = now,
            IsActive = false,
            IsDeleted = false,
        };
        await using (var insert = connection.Command(
            $"INSERT INTO plant_images ({PlantImageSchema.Columns}) VALUES ({ValueList})", transaction))
        {
            BindImage(insert, image);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await AppendToOutboxAsync(connection, transaction, image, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Committed?.Invoke();
        return image;
    }

    /// <summary>Changes the given fields and sets <c>updated_at</c>; null when the record does not exist.</summary>
    public Task<PlantImage?> UpdateAsync(string plant, PlantImageUpdate update, CancellationToken cancellationToken) =>
        ChangeAsync(plant, update.Id, (stored, now) => stored with
        {
            CameraId = update.CameraId ?? stored.CameraId,
            Latitude = update.Coordinates?.Latitude ?? stored.Latitude,
            Longitude = update.Coordinates?.Longitude ?? stored.Longitude,
            Disease = update.Disease ?? stored.Disease,
            Percentage = update.Percentage ?? stored.Percentage,
            IsActive = update.IsActive ?? stored.IsActive,
            IsDeleted = update.IsDeleted ?? stored.IsDeleted,
            UpdatedAt = now,
        }, cancellationToken);

    /// <summary>Soft delete: flags the record and sets <c>updated_at</c>; null when the record does not exist.</summary>
    public Task<PlantImage?> DeleteAsync(string plant, long id, CancellationToken cancellationToken) =>
        ChangeAsync(plant, id, (stored, now) => stored with { IsDeleted = true, UpdatedAt = now }, cancellationToken);

    internal static PlantImage ReadImage(DbDataReader reader) => new()
    {
        Plant = reader.GetString(0),
        Id = reader.GetInt64(1),
        CameraId = reader.GetInt64(2),
        Data = reader.GetFieldValue<byte[]>(3),
        Latitude = reader.GetDouble(4),
        Longitude = reader.GetDouble(5),
        Disease = reader.NullableString(6),
        Percentage = reader.Nullable<double>(7),
        CreatedAt = reader.GetInt64(8),
        UpdatedAt = reader.Nullable<long>(9),
        IsActive = reader.GetBoolean(10),
        IsDeleted = reader.GetBoolean(11),
    };

    /// <summary>Parameters for <see cref="PlantImageSchema.Columns"/>, in that order.</summary>
    internal const string ValueList =
        "@plant, @id, @camera_id, @data, @latitude, @longitude, @disease, @percentage, @created_at, @updated_at, @is_active, @is_deleted, @changed_at";

    internal static void BindImage(DbCommand command, PlantImage image)
    {
        foreach (var (name, value) in ImageParameters(image))
        {
            command.Set(name, value);
        }
    }

    /// <summary>The values of <see cref="ValueList"/>'s parameters for <paramref name="image"/>.</summary>
    internal static (string Name, object? Value)[] ImageParameters(PlantImage image) =>
    [
        ("@plant", image.Plant),
        ("@id", image.Id),
        ("@camera_id", image.CameraId),
        ("@data", image.Data),
        ("@latitude", image.Latitude),
        ("@longitude", image.Longitude),
        ("@disease", image.Disease),
        ("@percentage", image.Percentage),
        ("@created_at", image.CreatedAt),
        ("@updated_at", image.UpdatedAt),
        ("@is_active", image.IsActive),
        ("@is_deleted", image.IsDeleted),
        ("@changed_at", image.ChangedAt),
    ];

    private async Task<PlantImage?> ChangeAsync(string plant, long id, Func<PlantImage, long, PlantImage> change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var stored = await GetAsync(connection, transaction, plant, id, _forUpdate, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        // updated_at orders a record's versions downstream, so it must grow even if the clock steps back or two
        // changes land in the same microsecond.
        var now = Math.Max(PlantTime.NowMicros(time), stored.ChangedAt + 1);
        var image = change(stored, now);
        await using (var update = connection.Command(
            """
            UPDATE plant_images SET camera_id = @camera_id, data = @data, latitude = @latitude, longitude = @longitude,
                disease = @disease, percentage = @percentage, created_at = @created_at, updated_at = @updated_at,
                is_active = @is_active, is_deleted = @is_deleted, changed_at = @changed_at
            WHERE plant = @plant AND id = @id
            """, transaction))
        {
            BindImage(update, image);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await AppendToOutboxAsync(connection, transaction, image, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Committed?.Invoke();
        return image;
    }

    private static async Task AppendToOutboxAsync(DbConnection connection, DbTransaction transaction, PlantImage image, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT INTO plant_outbox (plant, id, changed_at, payload) VALUES (@plant, @id, @changed_at, @payload)", transaction);
        command.Add("@plant", image.Plant);
        command.Add("@id", image.Id);
        command.Add("@changed_at", image.ChangedAt);
        command.Add("@payload", PlantImageJson.Serialize(image));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PlantImage?> GetAsync(
        DbConnection connection, DbTransaction? transaction, string plant, long id, string suffix, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT {PlantImageSchema.Columns} FROM plant_images WHERE plant = @plant AND id = @id{suffix}", transaction);
        command.Add("@plant", plant);
        command.Add("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadImage(reader) : null;
    }

    private static async Task<long> LastIdAsync(DbConnection connection, DbTransaction? transaction, string plant, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT last_id FROM plant_image_ids WHERE plant = @plant", transaction);
        command.Add("@plant", plant);
        return await command.ScalarInt64Async(cancellationToken).ConfigureAwait(false) ?? 0;
    }

    private static async Task<byte[]?> FirstFromAsync(DbConnection connection, DbTransaction transaction, string plant, long fromId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "SELECT data FROM plant_images WHERE plant = @plant AND id >= @from ORDER BY id LIMIT 1", transaction);
        command.Add("@plant", plant);
        command.Add("@from", fromId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    private static string Filter(DbCommand command, string plant, bool? isActive, bool? hasDisease)
    {
        command.Add("@plant", plant);
        var filter = "plant = @plant";
        if (isActive is { } active)
        {
            command.Add("@is_active", active);
            filter += " AND is_active = @is_active";
        }

        if (hasDisease is { } disease)
        {
            filter += disease ? " AND disease IS NOT NULL" : " AND disease IS NULL";
        }

        return filter;
    }
}
