namespace Weir.Services.PlantImages.Bench;

/// <summary>Percentiles of a set of durations, in seconds.</summary>
internal sealed record Distribution(int Count, double P50, double P99, double Max, double Mean)
{
    public static Distribution Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Distribution(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = values.Order().ToArray();
        return new Distribution(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// Staleness per change, the way a reader of the consumer API sees it: a change made at <c>t</c> becomes visible
/// when the consumer database first holds that version of the record or a newer one. A batch job that copies only
/// a record's latest version still makes the earlier changes "visible" then, superseded; a change never reached
/// counts as not visible (reported apart, not as a number).
/// </summary>
internal sealed class StalenessAnalysis
{
    private readonly Dictionary<(string Plant, long Id), List<(long ChangedAt, long AppliedAt)>> _applied = [];

    /// <summary>Records that the consumer database held version <paramref name="changedAt"/> of a record from <paramref name="appliedAt"/> on (microseconds).</summary>
    public void Applied(string plant, long id, long changedAt, long appliedAt)
    {
        lock (_applied)
        {
            if (!_applied.TryGetValue((plant, id), out var list))
            {
                _applied[(plant, id)] = list = [];
            }

            list.Add((changedAt, appliedAt));
        }
    }

    /// <summary>Seconds until visible for each change, and how many changes never became visible.</summary>
    public (List<double> Seconds, int NotVisible) Measure(IEnumerable<(string Plant, long Id, long ChangedAt)> changes)
    {
        var seconds = new List<double>();
        var missing = 0;
        lock (_applied)
        {
            foreach (var (plant, id, changedAt) in changes)
            {
                var visible = long.MaxValue;
                if (_applied.TryGetValue((plant, id), out var list))
                {
                    foreach (var (version, appliedAt) in list)
                    {
                        if (version >= changedAt && appliedAt < visible)
                        {
                            visible = appliedAt;
                        }
                    }
                }

                if (visible == long.MaxValue)
                {
                    missing++;
                }
                else
                {
                    seconds.Add(Math.Max(0, visible - changedAt) / 1e6);
                }
            }
        }

        return (seconds, missing);
    }
}
