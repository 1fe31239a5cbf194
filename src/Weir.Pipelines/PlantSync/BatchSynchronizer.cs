using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

internal sealed class BatchSynchronizerOptions
{
    /// <summary>Time between runs: the original Db Synchronizer Job ran every 600 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// Each run re-reads changes this far behind its watermark: a producer transaction may stamp <c>updated_at</c>
    /// and commit a moment later, after a run already read past that time. Re-read records are no-ops downstream.
    /// </summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Records read and written per transaction.</summary>
    public int PageSize { get; set; } = 500;
}

/// <summary>What one batch run did.</summary>
internal sealed record BatchRun(int Read, int Applied, long Bytes, long Watermark);

/// <summary>
/// The original's batch approach, for comparison: every <see cref="BatchSynchronizerOptions.Interval"/> it copies the
/// records that changed in the producer database since its last run into the consumer database. Only the latest
/// version of each record moves; changes in between are never seen downstream. The watermark (greatest
/// <c>changed_at</c> copied) is kept in the consumer database, so a restarted job continues where it stopped.
/// </summary>
internal sealed class BatchSynchronizer(SqlDatabase producer, ReplicaWriter consumer, TimeProvider time, ILogger logger, BatchSynchronizerOptions? options = null)
{
    private const string WatermarkName = "batch_sync_watermark";
    private readonly BatchSynchronizerOptions _options = options ?? new BatchSynchronizerOptions();

    /// <summary>Raised after every run (also those started by <see cref="RunAsync"/>).</summary>
    public event Action<BatchRun>? Ran;

    /// <summary>Runs once at once (as the original did right after deployment), then every interval, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        do
        {
            try
            {
                var run = await SyncOnceAsync(cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Batch sync copied {Applied} of {Read} changed records ({Bytes} bytes)", run.Applied, run.Read, run.Bytes);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The next run starts again from the stored watermark.
                logger.LogError("Batch sync run failed: {Error}", error.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Copies every record changed since the stored watermark (less the overlap), page by page.</summary>
    public async Task<BatchRun> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var watermark = await consumer.ReadStateAsync(WatermarkName, cancellationToken).ConfigureAwait(false);
        var from = watermark is { } w ? w - (long)_options.Overlap.TotalMicroseconds : long.MinValue;
        // The first page starts strictly after the watermark (less the overlap); later pages after the last record read.
        (long ChangedAt, string? Plant, long Id) cursor = (from, null, 0);
        int read = 0, applied = 0;
        long bytes = 0, newWatermark = watermark ?? long.MinValue;
        while (true)
        {
            var page = await ReadPageAsync(cursor, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            var (written, _) = await consumer.ApplyAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var image in page)
            {
                var tag = PlantSyncMetrics.PlantTag(image.Plant);
                var size = StoredSize(image);
                PlantSyncMetrics.DbSynchronizerJobImage.Add(1, tag);
                PlantSyncMetrics.DbSynchronizerJobImageSize.Add(size, tag);
                bytes += size;
                newWatermark = Math.Max(newWatermark, image.ChangedAt);
            }

            read += page.Count;
            applied += written.Count(w => w);
            var last = page[^1];
            cursor = (last.ChangedAt, last.Plant, last.Id);
            if (page.Count < _options.PageSize)
            {
                break;
            }
        }

        if (read > 0)
        {
            await consumer.WriteStateAsync(WatermarkName, newWatermark, cancellationToken).ConfigureAwait(false);
        }

        var result = new BatchRun(read, applied, bytes, newWatermark);
        Ran?.Invoke(result);
        return result;
    }

    /// <summary>
    /// The bytes a copied record occupies as stored: the image plus its metadata columns (what a database-to-database
    /// copy moves; no hex encoding, unlike the Kafka messages).
    /// </summary>
    internal static long StoredSize(PlantImage image) =>
        image.Data.Length + image.Plant.Length + (image.Disease?.Length ?? 0) + (8 * 8) + 2;

    private async Task<List<PlantImage>> ReadPageAsync((long ChangedAt, string? Plant, long Id) after, CancellationToken cancellationToken)
    {
        await using var connection = await producer.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // Keyset pagination in (changed_at, plant, id) order: stable however many records share a timestamp.
        var condition = after.Plant is null
            ? "changed_at > @changed_at"
            : "changed_at > @changed_at OR (changed_at = @changed_at AND (plant > @plant OR (plant = @plant AND id > @id)))";
        await using var command = connection.Command(
            $"SELECT {PlantImageSchema.Columns} FROM plant_images WHERE {condition} ORDER BY changed_at, plant, id LIMIT @limit");
        command.Add("@changed_at", after.ChangedAt);
        if (after.Plant is not null)
        {
            command.Add("@plant", after.Plant);
            command.Add("@id", after.Id);
        }

        command.Add("@limit", (long)_options.PageSize);
        var page = new List<PlantImage>(_options.PageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            page.Add(PlantImageStore.ReadImage(reader));
        }

        return page;
    }
}
