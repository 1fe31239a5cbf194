using Weir.Streams;
using Weir.Streams.Sources;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Benchmarks.Engine;

/// <summary>The query on Weir: source → KeyBy → tumbling event-time window → aggregate → sink.</summary>
public static class WeirWindowQuery
{
    public static long Run(Event[] events, int parallelism)
    {
        long results = 0;
        var env = StreamEnvironment.Create(new JobOptions { Name = "bench-window", Parallelism = parallelism });
        env.FromSource(new ArraySource(events), WatermarkStrategy.ForMonotonousTimestamps<Event>().WithTimestampAssigner(e => e.Timestamp), "events")
            .KeyBy(e => e.Key)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMilliseconds(WindowWorkload.WindowMs)))
            .Aggregate(new StatsAggregate(), (key, window, acc) => acc.Result(key, window.Start))
            .ForEach(_ => Interlocked.Increment(ref results));
        env.ExecuteAsync().GetAwaiter().GetResult();
        return results;
    }

    private sealed class StatsAggregate : IAggregateFunction<Event, WindowWorkload.Accumulator, WindowWorkload.Accumulator>
    {
        public WindowWorkload.Accumulator CreateAccumulator() => default;

        public void Add(ref WindowWorkload.Accumulator accumulator, Event value) => accumulator.Add(value.Value);

        public WindowWorkload.Accumulator GetResult(WindowWorkload.Accumulator accumulator) => accumulator;
    }

    /// <summary>An in-memory array, split evenly over the source's subtasks.</summary>
    private sealed class ArraySource(Event[] events) : ISource<Event>
    {
        public bool IsBounded => true;

        public ISourceReader<Event> CreateReader(SourceReaderContext context)
        {
            var share = events.Length / context.Parallelism;
            var start = share * context.SubtaskIndex;
            var end = context.SubtaskIndex == context.Parallelism - 1 ? events.Length : start + share;
            return new Reader(events, start, end, context.BatchSize);
        }

        private sealed class Reader(Event[] events, int start, int end, int batch) : ISourceReader<Event>
        {
            private int _next = start;

            public SourceStatus Poll(ReaderOutput<Event> output)
            {
                var stop = Math.Min(end, _next + batch);
                for (; _next < stop; _next++)
                {
                    var e = events[_next];
                    output.Collect(e, e.Timestamp);
                }

                return _next >= end ? SourceStatus.EndOfInput : SourceStatus.MoreAvailable;
            }

            public IReadOnlyList<SplitState> SnapshotState(long checkpointId) => [new SplitState("array", BitConverter.GetBytes(_next))];

            public void Dispose()
            {
            }
        }
    }
}
