using Weir.Broker;
using Weir.Cli.Commands;
using Weir.Cli.Hosting;

namespace Weir.Cli.Up;

/// <summary>The embedded broker inside `weir up` (first to start, last to stop): settings from the <c>Broker</c> section.</summary>
internal sealed class BrokerComponent(WeirContext context) : UpComponent
{
    private BrokerServer? _server;

    public override string Name => "broker";

    public override Task Completion => _server?.Completion ?? base.Completion;

    /// <summary>The address clients bootstrap from once started (the bound port when listening on port 0), else null.</summary>
    public string? BootstrapServers => _server?.BootstrapServers;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        _server = new BrokerServer(BrokerSettings.FromConfiguration(context), context.LoggerFactory);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        return BrokerSettings.Describe(_server);
    }

    public override async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
