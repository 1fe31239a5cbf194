using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Weir.Services.Metrics;

/// <summary>
/// Collects every <see cref="System.Diagnostics.Metrics"/> instrument of the chosen meters and renders them in the
/// Prometheus text exposition format (0.0.4). Code records metrics with the BCL API only; this class is the one place
/// that knows about Prometheus. Instrument names are used as they are, with '.' and '-' turned into '_', so a
/// metric keeps the exact name its owner chose (the plant-sync metrics must match the original system's names).
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly MeterListener _listener = new();
    private readonly Func<Meter, bool> _includeMeter;
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _series = new();

    /// <param name="includeMeter">Which meters to export; default: those whose name starts with "Weir".</param>
    public PrometheusCollector(Func<Meter, bool>? includeMeter = null)
    {
        _includeMeter = includeMeter ?? (m => m.Name.StartsWith("Weir", StringComparison.Ordinal));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_includeMeter(instrument.Meter))
            {
                _series.TryAdd(instrument, new InstrumentSeries(instrument, BucketsOf(instrument)));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, state) => _series.TryRemove(instrument, out var removed);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
    }

    /// <summary>Renders the current values of every exported instrument.</summary>
    public string Render()
    {
        // Observable instruments report only when asked; their callbacks land in Record like any measurement.
        foreach (var series in _series.Values)
        {
            series.BeginObservation();
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            if (!string.IsNullOrEmpty(first.Description))
            {
                text.Append("# HELP ").Append(group.Key).Append(' ').Append(EscapeHelp(first.Description)).Append('\n');
            }

            text.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.PrometheusType).Append('\n');
            foreach (var series in group)
            {
                series.WriteTo(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal static string MetricName(string instrumentName)
    {
        var name = new StringBuilder(instrumentName.Length);
        foreach (var c in instrumentName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }

    private static double[] BucketsOf(Instrument instrument) =>
        instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { } b } => [.. b],
            Histogram<long> { Advice.HistogramBucketBoundaries: { } b } => b.Select(x => (double)x).ToArray(),
            Histogram<int> { Advice.HistogramBucketBoundaries: { } b } => b.Select(x => (double)x).ToArray(),
            _ => DefaultBuckets,
        };

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    /// <summary>All label sets of one instrument and their aggregated values.</summary>
    private sealed class InstrumentSeries(Instrument instrument, double[] buckets)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Point> _points = new(StringComparer.Ordinal);
        private readonly Kind _kind = KindOf(instrument);

        private enum Kind
        {
            Sum,            // Counter, UpDownCounter: add every measurement
            ObservedSum,    // ObservableCounter / ObservableUpDownCounter: the callback reports the running total
            Last,           // Gauge, ObservableGauge: the latest value
            Histogram,
        }

        public string Name { get; } = MetricName(instrument.Name);

        public string? Description => instrument.Description;

        public string PrometheusType => _kind switch
        {
            Kind.Histogram => "histogram",
            Kind.Last => "gauge",
            _ when instrument.GetType().Name.Contains("UpDown", StringComparison.Ordinal) => "gauge",
            _ => "counter",
        };

        public void BeginObservation()
        {
            if (_kind is Kind.ObservedSum or Kind.Last && instrument.IsObservable)
            {
                lock (_gate)
                {
                    // An observable instrument reports its full state at each collection; label sets it no longer
                    // reports are gone.
                    _points.Clear();
                }
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            lock (_gate)
            {
                if (!_points.TryGetValue(labels, out var point))
                {
                    point = new Point(_kind == Kind.Histogram ? new long[buckets.Length] : null);
                    _points[labels] = point;
                }

                switch (_kind)
                {
                    case Kind.Sum:
                        point.Value += value;
                        break;
                    case Kind.ObservedSum:
                    case Kind.Last:
                        point.Value = value;
                        break;
                    case Kind.Histogram:
                        point.Value += value;
                        point.Count++;
                        var bucket = Array.BinarySearch(buckets, value);
                        bucket = bucket < 0 ? ~bucket : bucket;
                        if (bucket < buckets.Length)
                        {
                            point.Buckets![bucket]++;
                        }

                        break;
                }
            }
        }

        public void WriteTo(StringBuilder text)
        {
            lock (_gate)
            {
                foreach (var (labels, point) in _points.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (_kind != Kind.Histogram)
                    {
                        Sample(text, Name, labels, point.Value);
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i < buckets.Length; i++)
                    {
                        cumulative += point.Buckets![i];
                        Sample(text, Name + "_bucket", Join(labels, $"le=\"{Format(buckets[i])}\""), cumulative);
                    }

                    Sample(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), point.Count);
                    Sample(text, Name + "_sum", labels, point.Value);
                    Sample(text, Name + "_count", labels, point.Count);
                }
            }
        }

        private static Kind KindOf(Instrument instrument)
        {
            var type = instrument.GetType().Name;
            if (type.StartsWith("Histogram", StringComparison.Ordinal))
            {
                return Kind.Histogram;
            }

            if (type.StartsWith("Gauge", StringComparison.Ordinal) || type.StartsWith("ObservableGauge", StringComparison.Ordinal))
            {
                return Kind.Last;
            }

            return instrument.IsObservable ? Kind.ObservedSum : Kind.Sum;
        }

        private static void Sample(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Format(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf"
            : double.IsNegativeInfinity(value) ? "-Inf"
            : double.IsNaN(value) ? "NaN"
            : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var pairs = new List<KeyValuePair<string, object?>>(tags.Length);
            foreach (var tag in tags)
            {
                pairs.Add(tag);
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            var text = new StringBuilder();
            foreach (var (key, value) in pairs)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(MetricName(key)).Append("=\"");
                foreach (var c in Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")
                {
                    _ = c switch
                    {
                        '\\' => text.Append("\\\\"),
                        '"' => text.Append("\\\""),
                        '\n' => text.Append("\\n"),
                        _ => text.Append(c),
                    };
                }

                text.Append('"');
            }

            return text.ToString();
        }

        private sealed class Point(long[]? buckets)
        {
            public double Value { get; set; }

            public long Count { get; set; }

            public long[]? Buckets { get; } = buckets;
        }
    }
}
