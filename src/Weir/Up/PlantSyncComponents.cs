using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.PlantImages;

namespace Weir.Cli.Up;

/// <summary>
/// One side of the plant-image sync inside `weir up`: "plant-images" (producer API on PlantSync:Producer:Listen and the
/// outbox relay) or "plant-sync" (consumer service, read-only API on PlantSync:Consumer:Listen).
/// </summary>
internal sealed class PlantSideComponent(string name, Func<CancellationToken, Task<(PlantSyncHost Host, string Description)>> start) : UpComponent
{
    private PlantSyncHost? _host;

    public override string Name => name;

    public override Task Completion => _host?.Completion ?? base.Completion;

    public static PlantSideComponent Producer(WeirContext context) => new("plant-images", async cancellationToken =>
    {
        var options = PlantSyncCommands.Options(context, parse: null);
        var producer = await PlantSyncCommands.StartProducerAsync(context, options, PlantSyncCommands.ProducerDatabasePath(context, options), cancellationToken).ConfigureAwait(false);
        return (producer, $"{producer.Address} over {producer.DatabaseDescription}, publishing to {options.Bootstrap}");
    });

    public static PlantSideComponent Consumer(WeirContext context) => new("plant-sync", async cancellationToken =>
    {
        var options = PlantSyncCommands.Options(context, parse: null);
        var service = await PlantSyncCommands.StartConsumerAsync(context, options, PlantSyncCommands.ConsumerDatabasePath(context, options), cancellationToken).ConfigureAwait(false);
        return (service, $"{service.Address} (read-only) over {service.DatabaseDescription}, group {options.Consumer.GroupId}");
    });

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        (_host, var description) = await start(cancellationToken).ConfigureAwait(false);
        return description;
    }

    public override async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The plant-image workload inside `weir up`: the original jobs against PlantSync:Workload:Api at PlantSync:Workload:Speed.</summary>
internal sealed class PlantWorkloadComponent(WeirContext context) : UpComponent
{
    private readonly CancellationTokenSource _stop = new();
    private HttpClient? _http;
    private Task _running = Task.CompletedTask;

    public override string Name => "plant-workload";

    public override Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = PlantSyncCommands.Options(context, parse: null);
        var workload = PlantSyncCommands.WorkloadOptions(options, maxChanges: 0);
        _http = new HttpClient { BaseAddress = PlantSyncCommands.ApiAddress(options.Workload.Api) };
        var runner = new PlantWorkload(new PlantImageClient(_http), workload, TimeProvider.System, context.LoggerFactory.CreateLogger("weir.plant-workload"));
        _running = runner.RunAsync(_stop.Token);
        return Task.FromResult($"driving {_http.BaseAddress} at about {workload.ChangesPerSecond:0.###} changes/s (PlantSync:Workload:Speed {options.Workload.Speed})");
    }

    public override async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _http?.Dispose();
        _stop.Dispose();
    }
}
