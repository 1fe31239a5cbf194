using System.Diagnostics;
using BenchmarkDotNet.Running;
using Weir.Benchmarks.Engine;

namespace Weir.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            Quick(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>A few timed runs of each engine, without BenchmarkDotNet's rigour (for quick checks while working).</summary>
    private static void Quick(int count)
    {
        var events = WindowWorkload.Create(count);
        var expected = WindowWorkload.ExpectedResults(events);
        Measure("weir p=1", () => WeirWindowQuery.Run(events, 1));
        Measure("weir p=2", () => WeirWindowQuery.Run(events, 2));
        Measure("rx", () => RxWindowQuery.Run(events));
        Measure("akka", () => AkkaWindowQuery.Run(events));

        void Measure(string name, Func<long> run)
        {
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                var results = run();
                watch.Stop();
                Console.WriteLine($"{name,-10} {count / watch.Elapsed.TotalSeconds / 1e6,8:F2} M events/s  ({results} results, expected {expected})");
            }
        }
    }
}
