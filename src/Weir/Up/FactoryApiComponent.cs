using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Services.Hosting;

namespace Weir.Cli.Up;

/// <summary>The factory's streaming data API inside `weir up` (section "Factory:Api").</summary>
internal sealed class FactoryApiComponent(WeirContext context) : UpComponent
{
    private WebService? _service;

    public override string Name => "factory-api";

    public override Task Completion => _service?.Completion ?? base.Completion;

    /// <summary>The bound address once started, else null.</summary>
    public Uri? Address => _service?.Address;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = FactoryCommands.ApiOptions(context, parse: null);
        var (service, sources) = await FactoryCommands.StartApiAsync(context, options, cancellationToken).ConfigureAwait(false);
        _service = service;
        return $"{service.Address} streaming {string.Join(", ", sources.Keys.Select(k => "/stream_data_" + k))} from {options.Source}";
    }

    public override async Task StopAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync().ConfigureAwait(false);
        }
    }
}
