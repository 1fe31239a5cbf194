using System.Reactive.Concurrency;
using System.Reactive.Linq;

namespace Weir.Benchmarks.Engine;

/// <summary>
/// The query as an Rx.NET user writes it: Rx has no event time, so windows are groups of the window index,
/// closed when the first event of a later window arrives (GroupByUntil), and keys are groups inside them.
/// Runs synchronously on the calling thread (immediate scheduler).
/// </summary>
public static class RxWindowQuery
{
    public static long Run(Event[] events)
    {
        long results = 0;
        using var subscription = events.ToObservable(ImmediateScheduler.Instance)
            .Publish(shared => shared
                .GroupByUntil(e => e.Timestamp / WindowWorkload.WindowMs, window => shared.Where(e => e.Timestamp / WindowWorkload.WindowMs > window.Key))
                .SelectMany(window => window
                    .GroupBy(e => e.Key)
                    .SelectMany(key => key
                        .Aggregate(default(WindowWorkload.Accumulator), (acc, e) =>
                        {
                            acc.Add(e.Value);
                            return acc;
                        })
                        .Select(acc => acc.Result(key.Key, window.Key * WindowWorkload.WindowMs)))))
            .Subscribe(_ => results++);
        return results;
    }
}
