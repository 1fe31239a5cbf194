using System.Diagnostics.Metrics;

namespace Weir.Pipelines.PlantSync;

/// <summary>
/// The pipeline's metrics. The four size/count instruments keep the original system's names (its Grafana dashboard
/// queries them bare: <c>sum by(service)(image_api_image)</c>), so they are not suffixed with <c>_total</c>. The
/// original labelled them by plant, id and disease; here the label is the plant only, because a label per image id
/// makes one time series per image.
/// </summary>
internal static class PlantSyncMetrics
{
    public const string MeterName = "Weir.Pipelines.PlantSync";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Records the image API published (streaming), by plant.</summary>
    public static readonly Counter<long> ImageApiImage = Meter.CreateCounter<long>(
        "image_api_image", "images", "Image records the image API published to Kafka (streaming sync), by plant");

    /// <summary>Bytes the image API published: key, value (the whole record, image hex-encoded) and headers.</summary>
    public static readonly Counter<long> ImageApiImageSize = Meter.CreateCounter<long>(
        "image_api_image_size", "bytes", "Bytes of image records (metadata included) the image API published to Kafka");

    /// <summary>Records the batch synchronizer copied, by plant.</summary>
    public static readonly Counter<long> DbSynchronizerJobImage = Meter.CreateCounter<long>(
        "db_synchronizer_job_image", "images", "Image records the batch Db Synchronizer Job copied, by plant");

    /// <summary>Bytes the batch synchronizer copied (image bytes plus metadata, as stored).</summary>
    public static readonly Counter<long> DbSynchronizerJobImageSize = Meter.CreateCounter<long>(
        "db_synchronizer_job_image_size", "bytes", "Bytes of image records (metadata included) the batch Db Synchronizer Job copied");

    /// <summary>
    /// Seconds from a record's change in the producer database (its <c>updated_at</c>) until the consumer database
    /// holds it, per applied record; <c>mode</c> is <c>stream</c> or <c>batch</c>.
    /// </summary>
    public static readonly Histogram<double> Staleness = Meter.CreateHistogram(
        "plant_sync_staleness_seconds", "s", "Seconds from a change in the producer database to its visibility in the consumer database",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200] });

    /// <summary>Records the Kafka consumer received, by plant and outcome (<c>applied</c> or <c>stale</c>: already held).</summary>
    public static readonly Counter<long> ConsumerRecords = Meter.CreateCounter<long>(
        "plant_sync_consumer_records_total", "records", "Records the plant-sync consumer received, by outcome (applied, stale)");

    /// <summary>Messages sent to the dead-letter topic (architecture convention: <c>weir_dead_letters_total{job,stage}</c>).</summary>
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>(
        "weir_dead_letters_total", "records", "Records sent to a dead-letter topic, by job and stage");

    public static KeyValuePair<string, object?> PlantTag(string plant) => new("plant", plant);
}
