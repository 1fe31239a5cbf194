using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

/// <summary>One event of the outbox: the whole record after a change, as its Kafka message value.</summary>
internal sealed record OutboxEvent(long Seq, string Plant, long Id, long ChangedAt, byte[] Payload);

/// <summary>
/// The producer database's outbox table: events written in the same transaction as their change, read in sequence
/// order by the relay and marked sent once Kafka acknowledged them.
/// </summary>
internal sealed class Outbox(SqlDatabase database)
{
    /// <summary>Up to <paramref name="max"/> unsent events, oldest first.</summary>
    public async Task<List<OutboxEvent>> ReadUnsentAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "SELECT seq, plant, id, changed_at, payload FROM plant_outbox WHERE sent_at IS NULL ORDER BY seq LIMIT @max");
        command.Add("@max", (long)max);
        var events = new List<OutboxEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new OutboxEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)));
        }

        return events;
    }

    /// <summary>
    /// Marks exactly these events sent. Never a range: on PostgreSQL a transaction that started earlier may commit a
    /// smaller sequence number after this batch was read, and a range would mark it sent unpublished.
    /// </summary>
    public async Task MarkSentAsync(IReadOnlyList<OutboxEvent> events, long sentAt, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var seqs = new long[events.Count];
        for (var i = 0; i < seqs.Length; i++)
        {
            seqs[i] = events[i].Seq;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("");
        command.CommandText = $"UPDATE plant_outbox SET sent_at = @sent_at WHERE {database.AnyOf(command, "seq", seqs)}";
        command.Add("@sent_at", sentAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes events sent before <paramref name="sentBefore"/> (microseconds); returns how many.</summary>
    public async Task<int> PruneAsync(long sentBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("DELETE FROM plant_outbox WHERE sent_at IS NOT NULL AND sent_at < @before");
        command.Add("@before", sentBefore);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many events wait to be published.</summary>
    public async Task<long> CountUnsentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT COUNT(*) FROM plant_outbox WHERE sent_at IS NULL");
        return await command.ScalarInt64Async(cancellationToken).ConfigureAwait(false) ?? 0;
    }

    /// <summary>Every event still in the table (sent or not), oldest first: the change log the benchmark measures against.</summary>
    public async Task<List<(long Seq, string Plant, long Id, long ChangedAt, int PayloadBytes)>> ReadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("SELECT seq, plant, id, changed_at, LENGTH(payload) FROM plant_outbox ORDER BY seq");
        var log = new List<(long, string, long, long, int)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            log.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), Convert.ToInt32(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return log;
    }
}
