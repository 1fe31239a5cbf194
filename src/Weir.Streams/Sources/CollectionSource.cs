namespace Weir.Streams.Sources;

/// <summary>
/// A bounded source over an in-memory sequence, read by one subtask. Its position (records emitted) goes into
/// checkpoints; a restored job skips that many, so the sequence must enumerate the same way every time.
/// </summary>
public sealed class CollectionSource<T>(IEnumerable<T> items) : ISource<T>
{
    public bool IsBounded => true;

    public int? MaxParallelism => 1;

    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        long skip = 0;
        foreach (var split in context.RestoredSplits)
        {
            skip = BitConverter.ToInt64(split.Position);
        }

        return new Reader(items.GetEnumerator(), skip, context.BatchSize);
    }

    private sealed class Reader(IEnumerator<T> items, long skip, int batchSize) : ISourceReader<T>
    {
        private long _position;

        public SourceStatus Poll(ReaderOutput<T> output)
        {
            while (_position < skip)
            {
                if (!items.MoveNext())
                {
                    return SourceStatus.EndOfInput;
                }

                _position++;
            }

            for (var i = 0; i < batchSize; i++)
            {
                if (!items.MoveNext())
                {
                    return SourceStatus.EndOfInput;
                }

                _position++;
                output.Collect(items.Current);
            }

            return SourceStatus.MoreAvailable;
        }

        public IReadOnlyList<SplitState> SnapshotState(long checkpointId) => [new SplitState("collection", BitConverter.GetBytes(_position))];

        public void Dispose() => items.Dispose();
    }
}
