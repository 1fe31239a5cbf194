using System.Diagnostics.Metrics;

namespace Weir.Pipelines.Factory;

/// <summary>The factory pipeline's instruments (meter "Weir.Pipelines.Factory"; exported at /metrics by the Weir HTTP host).</summary>
internal static class FactoryMetrics
{
    public static readonly Meter Meter = new("Weir.Pipelines.Factory");

    public static readonly Counter<long> RecordsProduced = Meter.CreateCounter<long>(
        "weir_factory_records_produced_total", description: "Records the factory producers handed to Kafka and the broker acknowledged, by topic.");

    public static readonly Counter<long> StreamReconnects = Meter.CreateCounter<long>(
        "weir_factory_stream_reconnects_total", description: "Times a factory producer reconnected to its HTTP stream after it dropped, by stream.");

    public static readonly Counter<long> RecordsWritten = Meter.CreateCounter<long>(
        "weir_factory_records_written_total", description: "Rows the factory sink wrote to durable Parquet files, by topic.");

    public static readonly Counter<long> FilesWritten = Meter.CreateCounter<long>(
        "weir_factory_files_written_total", description: "Parquet files the factory sink wrote, by topic.");

    /// <summary>The platform-wide dead-letter counter (docs/architecture.md "Dead letters").</summary>
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>(
        "weir_dead_letters_total", description: "Records sent to a dead-letter topic, by job and stage.");
}
