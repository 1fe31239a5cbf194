using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Weir.Benchmarks.Engine;

/// <summary>
/// The query as an Akka.Streams user writes it, after the usual event-time windowing recipe: a stateful stage
/// turns events into window commands (open/add/close), GroupBy the window, TakeWhile until it closes, fold the
/// window's events into per-key statistics, merge the substreams.
/// </summary>
public static class AkkaWindowQuery
{
    private static readonly Lazy<(ActorSystem System, IMaterializer Materializer)> Akka = new(() =>
    {
        var system = ActorSystem.Create("bench", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        return (system, system.Materializer());
    });

    private readonly record struct Command(Event Event, long Window, bool Close);

    public static long Run(Event[] events)
    {
        long results = 0;
        var (_, materializer) = Akka.Value;
        var windows = Source.From(events)
            .StatefulSelectMany<Event, Command, Akka.NotUsed>(() =>
            {
                var current = -1L;
                return e =>
                {
                    var window = e.Timestamp / WindowWorkload.WindowMs;
                    if (window == current)
                    {
                        return [new Command(e, window, false)];
                    }

                    var previous = current;
                    current = window;
                    return previous < 0 ? [new Command(e, window, false)] : [new Command(default, previous, true), new Command(e, window, false)];
                };
            })
            .GroupBy(64, c => c.Window)
            .TakeWhile(c => !c.Close)
            .Aggregate(((long Window, Dictionary<int, WindowWorkload.Accumulator>? Keys))(0, null), (state, c) =>
            {
                var keys = state.Keys ?? [];
                keys.TryGetValue(c.Event.Key, out var acc);
                acc.Add(c.Event.Value);
                keys[c.Event.Key] = acc;
                return (c.Window, keys);
            })
            .SelectMany(state => state.Keys!.Select(kv => kv.Value.Result(kv.Key, state.Window * WindowWorkload.WindowMs)))
            .MergeSubstreams();
        ((Source<WindowStats, Akka.NotUsed>)windows)
            .RunForeach(_ => results++, materializer)
            .GetAwaiter()
            .GetResult();
        return results;
    }
}
