using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Services.Challenger;

namespace Weir.Cli.Up;

/// <summary>The Local Challenger emulator inside `weir up` (section "Challenger").</summary>
internal sealed class ChallengerComponent(WeirContext context) : UpComponent
{
    private ChallengerService? _service;

    public override string Name => "challenger";

    public override Task Completion => _service?.Completion ?? base.Completion;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = ChallengerCommand.Options(context, null);
        _service = await ChallengerService.StartAsync(options, ChallengerCommand.DataPath(context, options), context.LoggerFactory, null, cancellationToken).ConfigureAwait(false);
        return $"{_service.Address.ToString().TrimEnd('/')} (Local Challenger API under /api, dashboard /dash); {_service.DataSet.Description}";
    }

    public override async Task StopAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync().ConfigureAwait(false);
        }
    }
}
