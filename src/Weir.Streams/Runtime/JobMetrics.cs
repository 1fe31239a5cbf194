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

    private static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("weir_dead_letters", description: "Records sent to the dead-letter sink, by job and stage");

    private readonly ConcurrentDictionary<string, long> _deadLettersByStage = new(StringComparer.Ordinal);

    public JobMetrics(string jobName)
    {
        JobName = jobName;
    }

    public string JobName { get; }

    public IReadOnlyDictionary<string, long> DeadLettersByStage => _deadLettersByStage;

    public void DeadLetter(string stage)
    {
        _deadLettersByStage.AddOrUpdate(stage, 1, static (_, n) => n + 1);
        DeadLetters.Add(1, new KeyValuePair<string, object?>("job", JobName), new KeyValuePair<string, object?>("stage", stage));
    }
}
