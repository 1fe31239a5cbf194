namespace Weir.Cli.Commands;
using Weir.Cli.Hosting;

/// <summary>A benchmark's own embedded broker under &lt;data-root&gt;/bench/&lt;name&gt;, deleted afterwards.</summary>
internal static class BenchBroker
{
    /// <summary>Starts a broker on a free port, runs <paramref name="bench"/> with its bootstrap address, prints the report.</summary>
    public static async Task RunAsync(WeirContext context, string name, Func<string, Task<string>> bench, CancellationToken cancellationToken)
    {
        var folder = context.DataPath(null, "bench", name);
        var brokerData = Path.Combine(folder, "broker-" + Guid.NewGuid().ToString("N"));
        var broker = new Weir.Broker.BrokerServer(new Weir.Broker.BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = brokerData, AutoCreateTopics = false, DefaultPartitions = 2 });
        try
        {
            await broker.StartAsync(cancellationToken).ConfigureAwait(false);
            Console.Write(await bench(broker.BootstrapServers).ConfigureAwait(false));
        }
        finally
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(brokerData, recursive: true);
        }
    }
}
