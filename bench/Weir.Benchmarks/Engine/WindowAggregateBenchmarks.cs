using BenchmarkDotNet.Attributes;

namespace Weir.Benchmarks.Engine;

/// <summary>
/// Keyed tumbling-window aggregate (count, min, max, mean per key per one-second window, 10 000 keys) on Weir,
/// Rx.NET and Akka.Streams in the same run. Times are per event (OperationsPerInvoke), so events/s = 1e9 / mean.
/// Weir runs at parallelism 1: the source, KeyBy and window chain into one subtask on one thread.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class WindowAggregateBenchmarks
{
    private const int Events = 1_000_000;
    private Event[] _events = [];
    private int _expected;

    [GlobalSetup]
    public void Setup()
    {
        _events = WindowWorkload.Create(Events);
        _expected = WindowWorkload.ExpectedResults(_events);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long RxNet() => Check(RxWindowQuery.Run(_events));

    [Benchmark(OperationsPerInvoke = Events)]
    public long AkkaStreams() => Check(AkkaWindowQuery.Run(_events));

    [Benchmark(OperationsPerInvoke = Events)]
    public long Weir() => Check(WeirWindowQuery.Run(_events, 1));

    private long Check(long results) =>
        results == _expected ? results : throw new InvalidOperationException($"{results} results, expected {_expected}");
}
