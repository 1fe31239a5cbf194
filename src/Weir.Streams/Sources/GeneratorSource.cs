namespace Weir.Streams.Sources;

/// <summary>
/// Records made from their index: record i = generate(i), for i from 0 to count − 1 (or forever when count is
/// null). Parallel: subtask k of p makes the indices i with i mod p = k. Optionally paced to a rate (records per
/// second over all subtasks) by the job clock. Its position goes into checkpoints.
/// </summary>
public sealed class GeneratorSource<T>(Func<long, T> generate, long? count, double? recordsPerSecond = null) : ISource<T>
{
    public bool IsBounded => count is not null;

    private static string SplitId(int subtask) => $"generator-{subtask}";

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        var next = (long)context.SubtaskIndex;
        var restored = context.RestoredSplits;
        if (restored.Count == context.Parallelism && restored.Any(s => s.SplitId == SplitId(context.SubtaskIndex)))
        {
            // Same parallelism as the checkpoint: each subtask resumes exactly where it was.
            next = BitConverter.ToInt64(restored.First(s => s.SplitId == SplitId(context.SubtaskIndex)).Position);
        }
        else if (restored.Count > 0)
        {
            // Parallelism changed: resume every subtask from the lowest position taken (at least once, never a gap).
            var lowest = restored.Min(s => BitConverter.ToInt64(s.Position));
            next = lowest + ((context.SubtaskIndex - (lowest % context.Parallelism) + context.Parallelism) % context.Parallelism);
        }

        return new Reader(generate, count, recordsPerSecond / context.Parallelism, next, context);
    }

    private sealed class Reader(Func<long, T> generate, long? count, double? rate, long start, SourceReaderContext context) : ISourceReader<T>
    {
        private readonly long _startedAt = context.Clock.GetTimestamp();
        private long _next = start;
        private long _emitted;
        private ITimer? _wake;

        public SourceStatus Poll(ReaderOutput<T> output)
        {
            var limit = context.BatchSize;
            if (rate is { } perSecond)
            {
                var due = (long)(context.Clock.GetElapsedTime(_startedAt).TotalSeconds * perSecond) - _emitted;
                if (due <= 0)
                {
                    var wait = TimeSpan.FromSeconds((1 - due) / perSecond);
                    _wake ??= context.Clock.CreateTimer(static s => ((SourceReaderContext)s!).SignalDataAvailable(), context, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _wake.Change(wait, Timeout.InfiniteTimeSpan);
                    return SourceStatus.NothingAvailable;
                }

                limit = (int)Math.Min(limit, due);
            }

            for (var i = 0; i < limit; i++)
            {
                if (count is { } total && _next >= total)
                {
                    return SourceStatus.EndOfInput;
                }

                output.Collect(generate(_next));
                _next += context.Parallelism;
                _emitted++;
            }

            return count is { } n && _next >= n ? SourceStatus.EndOfInput : SourceStatus.MoreAvailable;
        }

        public IReadOnlyList<SplitState> SnapshotState(long checkpointId) => [new SplitState(SplitId(context.SubtaskIndex), BitConverter.GetBytes(_next))];

        public void Dispose() => _wake?.Dispose();
    }
}
