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
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Up to <paramref name="max"/> events (sent or not) after sequence number <paramref name="afterSeq"/>, in order: the change log.</summary>
    public async Task<List<OutboxEvent>> ReadAfterAsync(long afterSeq, int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "SELECT seq, plant, id, changed_at, payload FROM plant_outbox WHERE seq > @after ORDER BY seq LIMIT @max");
        command.Add("@after", afterSeq);
        command.Add("@max", (long)max);
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<OutboxEvent>> ReadEventsAsync(System.Data.Common.DbCommand command, CancellationToken cancellationToken)
    {
        var events = new List<OutboxEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new OutboxEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)));
        }

        return events;
    }
}
