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

    /// <summary>
    /// Each engine run several times after a warm-up, timed by wall clock and by the CPU time of the whole process
    /// (every thread the engine uses, GC included). On a shared, busy machine wall time measures the neighbours;
    /// CPU time measures the engine: events per CPU second is events/s per core.
    /// </summary>
    private static void Quick(int count)
    {
        var events = WindowWorkload.Create(count);
        var expected = WindowWorkload.ExpectedResults(events);
        Console.WriteLine($"{count:N0} events, {WindowWorkload.Keys:N0} keys, {expected:N0} window results; {Environment.ProcessorCount} cores; median of 5 runs after 2 warm-ups");
        var rx = Measure("Rx.NET", () => RxWindowQuery.Run(events));
        var akka = Measure("Akka.Streams", () => AkkaWindowQuery.Run(events));
        var weir = Measure("Weir p=1", () => WeirWindowQuery.Run(events, 1));
        Measure("Weir p=2", () => WeirWindowQuery.Run(events, 2));
        Console.WriteLine($"Weir per CPU second: {weir / rx:F1}x Rx.NET, {weir / akka:F1}x Akka.Streams");

        double Measure(string name, Func<long> run)
        {
            var process = Process.GetCurrentProcess();
            var cpuRates = new List<double>();
            var wallRates = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                GC.Collect();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                var results = run();
                watch.Stop();
                process.Refresh();
                if (results != expected)
                {
                    throw new InvalidOperationException($"{name}: {results} results, expected {expected}");
                }

                if (i >= 2)
                {
                    cpuRates.Add(count / (process.TotalProcessorTime - cpu).TotalSeconds);
                    wallRates.Add(count / watch.Elapsed.TotalSeconds);
                }
            }

            cpuRates.Sort();
            wallRates.Sort();
            Console.WriteLine($"{name,-13} {cpuRates[2] / 1e6,7:F2} M events per CPU second   {wallRates[2] / 1e6,7:F2} M events/s wall");
            return cpuRates[2];
        }
    }
}
