using System.Data.Common;
using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// Writes records into a consumer (replica) database: an upsert by (plant, id) that only replaces the stored copy
/// with a newer one (greater <see cref="PlantImage.ChangedAt"/>). Replayed, duplicated or reordered records are no-ops,
/// so whoever writes (the Kafka consumer, the batch synchronizer, several instances at once) can retry freely.
/// </summary>
/// <param name="mode">Who writes, for the staleness metric: "stream" or "batch".</param>
internal sealed class ReplicaWriter(SqlDatabase database, TimeProvider time, string mode)
{
    private const string Upsert =
        $"""
        INSERT INTO plant_images ({PlantImageSchema.Columns}, synced_at) VALUES ({PlantImageStore.ValueList}, @synced_at)
        ON CONFLICT (plant, id) DO UPDATE SET
            camera_id = excluded.camera_id, data = excluded.data, latitude = excluded.latitude, longitude = excluded.longitude,
            disease = excluded.disease, percentage = excluded.percentage, created_at = excluded.created_at,
            updated_at = excluded.updated_at, is_active = excluded.is_active, is_deleted = excluded.is_deleted,
            changed_at = excluded.changed_at, synced_at = excluded.synced_at
        WHERE excluded.changed_at > plant_images.changed_at
        """;

    private const int StatementsPerRoundTrip = 100;

    public SqlDatabase Database => database;

    /// <summary>Raised after each committed batch: the records, which of them were written, and the commit time.</summary>
    public event Action<IReadOnlyList<PlantImage>, bool[], long>? Applied;

    /// <summary>
    /// Applies <paramref name="images"/> in one transaction. Returns, per record, whether it was written (false: the
    /// database already held that version or a newer one), and the commit time in microseconds.
    /// </summary>
    public async Task<(bool[] Applied, long SyncedAt)> ApplyAsync(IReadOnlyList<PlantImage> images, CancellationToken cancellationToken)
    {
        var applied = new bool[images.Count];
        if (images.Count == 0)
        {
            return (applied, PlantTime.NowMicros(time));
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var syncedAt = PlantTime.NowMicros(time);
        if (connection.CanCreateBatch)
        {
            await UpsertInBatchesAsync(connection, transaction, images, syncedAt, applied, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await using var command = connection.Command(Upsert, transaction);
            command.Set("@synced_at", syncedAt);
            for (var i = 0; i < images.Count; i++)
            {
                // One command for the whole batch; only the parameter values change per record.
                PlantImageStore.BindImage(command, images[i]);
                applied[i] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var modeTag = new KeyValuePair<string, object?>("mode", mode);
        for (var i = 0; i < images.Count; i++)
        {
            if (applied[i])
            {
                PlantSyncMetrics.Staleness.Record((syncedAt - images[i].ChangedAt) / 1e6, modeTag, PlantSyncMetrics.PlantTag(images[i].Plant));
            }
        }

        Applied?.Invoke(images, applied, syncedAt);
        return (applied, syncedAt);
    }

    /// <summary>A named 64-bit value kept in the replica (the batch synchronizer's watermark).</summary>
    public async Task<long?> ReadStateAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT value FROM plant_sync_state WHERE name = @name");
        command.Add("@name", name);
        return await command.ScalarInt64Async(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteStateAsync(string name, long value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "INSERT INTO plant_sync_state (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
        command.Add("@name", name);
        command.Add("@value", value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A client-server database (PostgreSQL) gets the upserts as ADO.NET batches: one round trip per
    /// <see cref="StatementsPerRoundTrip"/> records instead of one per record. Separate statements, not one multi-row
    /// INSERT, because a batch may hold two versions of the same record.
    /// </summary>
    private static async Task UpsertInBatchesAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<PlantImage> images, long syncedAt, bool[] applied, CancellationToken cancellationToken)
    {
        for (var start = 0; start < images.Count; start += StatementsPerRoundTrip)
        {
            var count = Math.Min(StatementsPerRoundTrip, images.Count - start);
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            for (var i = 0; i < count; i++)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = Upsert;
                foreach (var (name, value) in PlantImageStore.ImageParameters(images[start + i]).Append(("@synced_at", syncedAt)))
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = value ?? DBNull.Value;
                    command.Parameters.Add(parameter);
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                applied[start + i] = batch.BatchCommands[i].RecordsAffected > 0;
            }
        }
    }
}
