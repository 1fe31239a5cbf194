using Microsoft.Extensions.Logging;
using Weir.Broker;

namespace Weir.Testing;

/// <summary>
/// Weir's broker running inside the test process on <c>127.0.0.1:0</c> with a fresh temporary data directory,
/// for integration tests that need a Kafka bootstrap address. Point any Kafka client at
/// <see cref="BootstrapServers"/>; dispose to stop the broker and delete its data.
/// </summary>
/// <example>
/// <code>
/// await using var broker = await EmbeddedBroker.StartAsync();
/// var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers };
/// </code>
/// </example>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;
    private readonly BrokerOptions _options;
    private readonly ILoggerFactory? _loggerFactory;

    private EmbeddedBroker(BrokerOptions options, TempDirectory? ownedDirectory, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _ownedDirectory = ownedDirectory;
        _loggerFactory = loggerFactory;
        Server = new BrokerServer(options, loggerFactory);
    }

    /// <summary><c>127.0.0.1:port</c> for <c>bootstrap.servers</c>. The port stays the same across <see cref="RestartAsync"/>.</summary>
    public string BootstrapServers => Server.BootstrapServers;

    /// <summary>The broker's data directory (a temporary folder unless one was given).</summary>
    public string DataDirectory => Server.DataDirectory;

    /// <summary>The running server (replaced by <see cref="RestartAsync"/>).</summary>
    public BrokerServer Server { get; private set; }

    /// <summary>
    /// Starts a broker. <paramref name="configure"/> may change any option (fsync policy, retention,
    /// auto-creation, default partitions...); the listen address defaults to 127.0.0.1:0 and the data directory to
    /// a new temporary folder that is deleted on dispose. Set <see cref="BrokerOptions.DataDirectory"/> to keep data.
    /// </summary>
    public static async Task<EmbeddedBroker> StartAsync(Action<BrokerOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var options = new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = "" };
        configure?.Invoke(options);
        TempDirectory? owned = null;
        if (string.IsNullOrEmpty(options.DataDirectory))
        {
            owned = new TempDirectory("broker");
            options.DataDirectory = owned.Path;
        }

        var broker = new EmbeddedBroker(options, owned, loggerFactory);
        await broker.Server.StartAsync().ConfigureAwait(false);
        return broker;
    }

    /// <summary>
    /// Stops the broker cleanly and starts a new one on the same data directory and the same port, so connected
    /// clients reconnect by themselves (a clean restart; for a crash, run `weir broker` as a process and kill it).
    /// </summary>
    public async Task RestartAsync()
    {
        var port = Server.LocalEndPoint.Port;
        await Server.DisposeAsync().ConfigureAwait(false);
        _options.Listen = $"127.0.0.1:{port}";
        Server = new BrokerServer(_options, _loggerFactory);
        await Server.StartAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        _ownedDirectory?.Dispose();
    }
}
