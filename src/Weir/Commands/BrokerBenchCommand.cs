using System.CommandLine;
using Weir.Cli.Bench;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>`weir bench broker` and `weir bench broker-groups`: the broker's macro benchmarks (results in docs/benchmarks.md).</summary>
internal static class BrokerBenchCommand
{
    public static Command Groups()
    {
        var records = new Option<long>("--records") { Description = "Records consumed per group size. Default: 600,000.", DefaultValueFactory = _ => 600_000 };
        var command = new Command(
            "broker-groups",
            "Consumer-group consume throughput with 1, 2 and 3 Confluent.Kafka members on 6 partitions, and rebalance time after a member leaves (LeaveGroup) or is killed (session timeout).")
        {
            records,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var directory = context.DataPath(null, "bench", "broker-groups");
            try
            {
                Console.Write(await GroupBenchmark.RunAsync(new GroupBenchmark.Options(directory, parse.GetValue(records)), Console.Error, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            return 0;
        });
        return command;
    }

    public static Command Create()
    {
        var small = new Option<long>("--records") { Description = "Records per 100-byte case. Default: 2,000,000.", DefaultValueFactory = _ => 2_000_000 };
        var large = new Option<long>("--large-records") { Description = "Records per 1-KiB case. Default: 500,000.", DefaultValueFactory = _ => 500_000 };
        var rate = new Option<int>("--latency-rate") { Description = "Records/s of the latency run. Default: 10000.", DefaultValueFactory = _ => 10_000 };
        var seconds = new Option<int>("--latency-seconds") { Description = "Length of the latency run. Default: 10.", DefaultValueFactory = _ => 10 };
        var bootstrap = new Option<string?>("--bootstrap") { Description = "Measure an already running broker (Weir's or Kafka) instead of starting one in this process." };
        var fanOut = new Option<int>("--fanout-passes") { Description = "Passes of the fan-out case (four consumers reading 48 MiB of 256 KiB records from the page cache each pass; 0 skips it). Default: 5.", DefaultValueFactory = _ => 5 };
        var command = new Command(
            "broker",
            "Produce/consume throughput (one Confluent.Kafka producer and consumer; 100 B and 1 KiB; acks=1 and all; fsync Interval and Always), " +
            "four consumers reading the same 256 KiB records from the page cache, " +
            "produce latency at a fixed rate, and a raw loopback TCP copy as the ceiling, all in one run.")
        {
            small, large, rate, seconds, bootstrap, fanOut,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var directory = context.DataPath(null, "bench", "broker");
            try
            {
                var options = new BrokerBenchmark.Options(directory, parse.GetValue(small), parse.GetValue(large), parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(bootstrap), parse.GetValue(fanOut));
                Console.Write(await BrokerBenchmark.RunAsync(options, Console.Error, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            return 0;
        });
        return command;
    }
}
