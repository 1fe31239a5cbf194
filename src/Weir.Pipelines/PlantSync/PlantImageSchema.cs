using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// The tables of a plant-image database. Producer and consumer databases have the same shape, so the batch
/// synchronizer and the equality check compare like with like; only the producer fills the outbox and id counters.
/// </summary>
internal static class PlantImageSchema
{
    public const string Images = "plant_images";
    public const string Columns =
        "plant, id, camera_id, data, latitude, longitude, disease, percentage, created_at, updated_at, is_active, is_deleted, changed_at";

    public static async Task EnsureAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        string T(SqlType type) => database.TypeName(type);
        var ddl = $"""
            CREATE TABLE IF NOT EXISTS plant_images (
                plant TEXT NOT NULL,
                id {T(SqlType.Int64)} NOT NULL,
                camera_id {T(SqlType.Int64)} NOT NULL,
                data {T(SqlType.Bytes)} NOT NULL,
                latitude {T(SqlType.Double)} NOT NULL,
                longitude {T(SqlType.Double)} NOT NULL,
                disease TEXT NULL,
                percentage {T(SqlType.Double)} NULL,
                created_at {T(SqlType.Int64)} NOT NULL,
                updated_at {T(SqlType.Int64)} NULL,
                is_active {T(SqlType.Bool)} NOT NULL,
                is_deleted {T(SqlType.Bool)} NOT NULL,
                changed_at {T(SqlType.Int64)} NOT NULL,
                synced_at {T(SqlType.Int64)} NULL,
                PRIMARY KEY (plant, id));
            CREATE INDEX IF NOT EXISTS plant_images_changed ON plant_images (changed_at, plant, id);
            CREATE TABLE IF NOT EXISTS plant_image_ids (
                plant TEXT PRIMARY KEY,
                last_id {T(SqlType.Int64)} NOT NULL);
            CREATE TABLE IF NOT EXISTS plant_outbox (
                seq {T(SqlType.Identity)},
                plant TEXT NOT NULL,
                id {T(SqlType.Int64)} NOT NULL,
                changed_at {T(SqlType.Int64)} NOT NULL,
                payload {T(SqlType.Bytes)} NOT NULL,
                sent_at {T(SqlType.Int64)} NULL);
            CREATE INDEX IF NOT EXISTS plant_outbox_unsent ON plant_outbox (seq) WHERE sent_at IS NULL;
            CREATE TABLE IF NOT EXISTS plant_deployment (
                name TEXT PRIMARY KEY,
                is_deployed {T(SqlType.Bool)} NOT NULL);
            CREATE TABLE IF NOT EXISTS plant_sync_state (
                name TEXT PRIMARY KEY,
                value {T(SqlType.Int64)} NOT NULL);
            """;
        var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (database.Dialect == SqlDialect.PostgreSql)
                {
                    // Two processes creating the same tables at once would collide in the catalog; take turns.
                    await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(7316235491)", cancellationToken, transaction).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(ddl, cancellationToken, transaction).ConfigureAwait(false);
                foreach (var plant in Plants.All)
                {
                    await using var counter = connection.Command(
                        "INSERT INTO plant_image_ids (plant, last_id) VALUES (@plant, 0) ON CONFLICT (plant) DO NOTHING", transaction);
                    counter.Add("@plant", plant);
                    await counter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
