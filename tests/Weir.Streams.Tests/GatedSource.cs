using Weir.Streams.Sources;

namespace Weir.Streams.Tests;

/// <summary>
/// A replayable source for checkpoint tests: a fixed list of (record, timestamp) split over a few splits, of
/// which readers may read only what the test has allowed so far. Positions go into checkpoints, so a job
/// restarted from one reads on from there.
/// </summary>
public sealed class GatedSource<T>(IReadOnlyList<(T Value, long Timestamp)> records, int splits = 2) : ISource<T>
{
    private long _allowed;

    private IReadOnlyList<(T Value, long Timestamp)> Items { get; } = records;

    private int Splits { get; } = splits;

    public bool IsBounded => true;

    /// <summary>Lets readers read up to <paramref name="count"/> records of every split in total.</summary>
    public void AllowPerSplit(long count) => Interlocked.Exchange(ref _allowed, count);

    public void AllowAll() => Interlocked.Exchange(ref _allowed, long.MaxValue);

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        var positions = new Dictionary<int, long>();
        for (var split = context.SubtaskIndex; split < Splits; split += context.Parallelism)
        {
            positions[split] = 0;
        }

        foreach (var state in context.RestoredSplits)
        {
            var split = int.Parse(state.SplitId, System.Globalization.CultureInfo.InvariantCulture);
            if (positions.ContainsKey(split))
            {
                positions[split] = BitConverter.ToInt64(state.Position);
            }
        }

        return new Reader(this, positions, context);
    }

    private sealed class Reader(GatedSource<T> source, Dictionary<int, long> positions, SourceReaderContext context) : ISourceReader<T>
    {
        public SourceStatus Poll(ReaderOutput<T> output)
        {
            var allowed = Interlocked.Read(ref source._allowed);
            var emitted = 0;
            var done = true;
            foreach (var split in positions.Keys.ToList())
            {
                var position = positions[split];
                var mine = source.Items.Count / source.Splits + (split < source.Items.Count % source.Splits ? 1 : 0);
                var splitOutput = output.ForSplit(split.ToString(System.Globalization.CultureInfo.InvariantCulture));
                while (position < mine && position < allowed && emitted < context.BatchSize)
                {
                    var (value, timestamp) = source.Items[(int)(position * source.Splits) + split];
                    splitOutput.Collect(value, timestamp);
                    position++;
                    emitted++;
                }

                positions[split] = position;
                done &= position >= mine;
            }

            // A reader without splits waits for the others until everything is allowed (checkpoints stop once a subtask ends).
            done &= positions.Count > 0 || allowed == long.MaxValue;
            return done ? SourceStatus.EndOfInput : emitted > 0 ? SourceStatus.MoreAvailable : SourceStatus.NothingAvailable;
        }

        public IReadOnlyList<SplitState> SnapshotState(long checkpointId) =>
            [.. positions.Select(p => new SplitState(p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), BitConverter.GetBytes(p.Value)))];

        public void Dispose()
        {
        }
    }
}
