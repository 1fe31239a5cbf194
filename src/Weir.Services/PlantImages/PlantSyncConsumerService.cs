using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Services.Hosting;
using Weir.Services.Metrics;

namespace Weir.Services.PlantImages;

/// <summary>
/// The consumer service, running: the Kafka consumer applying the plant topics to the replica database, and the
/// consumer-side image API (same routes and schemas, read-only) with <c>/ping</c> for liveness and readiness.
/// </summary>
internal sealed class PlantSyncConsumerService : IAsyncDisposable
{
    private readonly SqlDatabase _database;
    private readonly PrometheusCollector _metrics;
    private readonly CancellationTokenSource _stop = new();
    private WebService? _api;
    private Task _consuming = Task.CompletedTask;

    private PlantSyncConsumerService(SqlDatabase database, TimeProvider time)
    {
        _database = database;
        Store = new PlantImageStore(database, time);
        Replica = new ReplicaWriter(database, time, "stream");
        _metrics = new PrometheusCollector(m => m.Name == PlantSyncMetrics.MeterName);
    }

    public PlantImageStore Store { get; }

    public ReplicaWriter Replica { get; }

    public PlantSyncConsumer? Consumer { get; private set; }

    public Uri Address => _api!.Address;

    public string DatabaseDescription => _database.Description;

    /// <summary>Faults when the API or the consumer stops on its own.</summary>
    public Task Completion => Task.WhenAny(_api!.Completion, _consuming).Unwrap();

    public static async Task<PlantSyncConsumerService> StartAsync(
        PlantSyncOptions options, string database, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("weir.plant-sync");
        var service = new PlantSyncConsumerService(SqlDatabase.Open(database), time);
        try
        {
            await service.Store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await service.Store.MarkDeployedAsync(cancellationToken).ConfigureAwait(false);
            service.Consumer = new PlantSyncConsumer(
                service.Replica,
                new PlantSyncConsumerOptions { Bootstrap = options.Bootstrap, GroupId = options.Consumer.GroupId, MaxBatch = options.Consumer.MaxBatch },
                logger);
            service._consuming = ConsumeAsync(options, service.Consumer, logger, service._stop.Token);
            service._api = await PlantImageService.StartAsync(
                options.Consumer.Listen, service.Store, PlantImageSide.Consumer, options.Consumer.ProducerApi, service._metrics, loggerFactory, cancellationToken)
                .ConfigureAwait(false);
            return service;
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _consuming.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _metrics.Dispose();
        _stop.Dispose();
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task ConsumeAsync(PlantSyncOptions options, PlantSyncConsumer consumer, ILogger logger, CancellationToken cancellationToken)
    {
        await PlantSyncKafka.EnsureTopicsAsync(options, logger, cancellationToken).ConfigureAwait(false);
        await consumer.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
