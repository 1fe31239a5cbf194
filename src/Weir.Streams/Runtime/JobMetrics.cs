using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Weir.Streams.Runtime;

/// <summary>
/// The engine's instruments (meter <c>Weir.Streams</c>). Per-record figures are counted in plain fields by the
/// subtask that owns them and read here only when a listener asks, so metrics cost nothing on the hot path.
/// </summary>
internal sealed class JobMetrics
{
    public const string MeterName = "Weir.Streams";

    internal static readonly Meter Meter = new(MeterName, "1.0");

    private static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("weir_dead_letters_total", description: "Records sent to the dead letters, by job and stage");

    // Observed when a listener asks (a /metrics scrape): figures come from the registry's job snapshots.
    private static readonly object[] Observables =
    [
        Meter.CreateObservableCounter("weir_job_records_in_total", () => PerOperator(o => o.RecordsIn), description: "Records into each operator, summed over its subtasks"),
        Meter.CreateObservableCounter("weir_job_records_out_total", () => PerOperator(o => o.RecordsOut), description: "Records out of each operator, summed over its subtasks"),
        Meter.CreateObservableCounter("weir_job_late_records_dropped_total", () => PerOperator(o => o.LateRecordsDropped), description: "Records too late for every window, dropped (no late-data output)"),
        Meter.CreateObservableGauge("weir_job_watermark_ms", WatermarkPerOperator, description: "The lowest watermark among an operator's subtasks, ms since the Unix epoch"),
        Meter.CreateObservableGauge("weir_job_watermark_lag_ms", WatermarkLag, description: "Processing time minus the job's lowest watermark"),
        Meter.CreateObservableGauge("weir_job_running", () => PerJob(j => j.Status is JobStatus.Running or JobStatus.Starting ? 1 : 0), description: "1 while the job runs"),
        Meter.CreateObservableCounter("weir_job_checkpoints_completed_total", () => PerJob(j => j.LastCheckpoint?.Completed ?? 0), description: "Checkpoints completed since the job started"),
        Meter.CreateObservableCounter("weir_job_checkpoints_aborted_total", () => PerJob(j => j.LastCheckpoint?.Aborted ?? 0), description: "Checkpoints given up since the job started"),
        Meter.CreateObservableGauge("weir_job_last_checkpoint_id", () => PerJob(j => j.LastCheckpoint?.Id ?? 0), description: "Id of the last completed checkpoint"),
        Meter.CreateObservableGauge("weir_job_last_checkpoint_duration_ms", () => PerJob(j => (long)(j.LastCheckpoint?.Duration.TotalMilliseconds ?? 0)), description: "How long the last completed checkpoint took"),
    ];

    private readonly ConcurrentDictionary<string, long> _deadLettersByStage = new(StringComparer.Ordinal);

    public JobMetrics(string jobName)
    {
        _ = Observables;
        JobName = jobName;
    }

    public string JobName { get; }

    public IReadOnlyDictionary<string, long> DeadLettersByStage => _deadLettersByStage;

    private static IEnumerable<JobInfo> Snapshots() => JobRegistry.All.Select(j => j.Describe());

    private static IEnumerable<Measurement<long>> PerJob(Func<JobInfo, long> value) =>
        Snapshots().Select(j => new Measurement<long>(value(j), new KeyValuePair<string, object?>("job", j.Name)));

    private static IEnumerable<Measurement<long>> PerOperator(Func<OperatorInfo, long> value) =>
        Snapshots().SelectMany(j => j.Operators.Select(o => new Measurement<long>(
            value(o),
            new KeyValuePair<string, object?>("job", j.Name),
            new KeyValuePair<string, object?>("operator", o.Name))));

    private static IEnumerable<Measurement<long>> WatermarkPerOperator() =>
        Snapshots().SelectMany(j => j.Operators
            .Where(o => o.Watermark is > long.MinValue and < long.MaxValue)
            .Select(o => new Measurement<long>(
                o.Watermark!.Value,
                new KeyValuePair<string, object?>("job", j.Name),
                new KeyValuePair<string, object?>("operator", o.Name))));

    private static IEnumerable<Measurement<long>> WatermarkLag()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var job in Snapshots())
        {
            var lowest = job.Operators.Where(o => o.Watermark is > long.MinValue and < long.MaxValue).Select(o => o.Watermark!.Value).DefaultIfEmpty(long.MinValue).Min();
            if (lowest != long.MinValue && job.Status == JobStatus.Running)
            {
                yield return new Measurement<long>(now - lowest, new KeyValuePair<string, object?>("job", job.Name));
            }
        }
    }

    public void DeadLetter(string stage)
    {
        _deadLettersByStage.AddOrUpdate(stage, 1, static (_, n) => n + 1);
        DeadLetters.Add(1, new KeyValuePair<string, object?>("job", JobName), new KeyValuePair<string, object?>("stage", stage));
    }
}
