using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.PlantImages;

namespace Weir.Cli.Up;

/// <summary>The plant-image producer inside `weir up`: image API on PlantSync:Producer:Listen and the outbox relay.</summary>
internal sealed class PlantImagesComponent(WeirContext context) : UpComponent
{
    private PlantImageProducer? _producer;

    public override string Name => "plant-images";

    public override Task Completion => _producer?.Completion ?? base.Completion;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = PlantSyncCommands.Options(context, parse: null);
        _producer = await PlantSyncCommands.StartProducerAsync(context, options, PlantSyncCommands.ProducerDatabasePath(context, options), cancellationToken).ConfigureAwait(false);
        return $"{_producer.Address} over {_producer.DatabaseDescription}, publishing to {options.Bootstrap}";
    }

    public override async Task StopAsync()
    {
        if (_producer is not null)
        {
            await _producer.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The plant-sync consumer service inside `weir up`: Kafka to the consumer database, read-only API on PlantSync:Consumer:Listen.</summary>
internal sealed class PlantSyncComponent(WeirContext context) : UpComponent
{
    private PlantSyncConsumerService? _service;

    public override string Name => "plant-sync";

    public override Task Completion => _service?.Completion ?? base.Completion;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = PlantSyncCommands.Options(context, parse: null);
        _service = await PlantSyncCommands.StartConsumerAsync(context, options, PlantSyncCommands.ConsumerDatabasePath(context, options), cancellationToken).ConfigureAwait(false);
        return $"{_service.Address} (read-only) over {_service.DatabaseDescription}, group {options.Consumer.GroupId}";
    }

    public override async Task StopAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync().ConfigureAwait(false);
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
