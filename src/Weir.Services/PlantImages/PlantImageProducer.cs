using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Services.Hosting;
using Weir.Services.Metrics;

namespace Weir.Services.PlantImages;

/// <summary>
/// The producer side, running: the database (schema created, empty plants seeded), the image API, and the outbox
/// relay publishing every change to the plant topics.
/// </summary>
internal sealed class PlantImageProducer : IAsyncDisposable
{
    private readonly SqlDatabase _database;
    private readonly PrometheusCollector _metrics;
    private readonly CancellationTokenSource _stop = new();
    private KafkaChangePublisher? _publisher;
    private WebService? _api;
    private Task _relaying = Task.CompletedTask;

    private PlantImageProducer(SqlDatabase database, TimeProvider time)
    {
        _database = database;
        Store = new PlantImageStore(database, time);
        _metrics = new PrometheusCollector(m => m.Name == PlantSyncMetrics.MeterName);
    }

    public PlantImageStore Store { get; }

    public OutboxRelay? Relay { get; private set; }

    public Uri Address => _api!.Address;

    public string DatabaseDescription => _database.Description;

    /// <summary>Completes (or faults) when the API or the relay stops on its own.</summary>
    public Task Completion => Relay is null ? _api!.Completion : Task.WhenAny(_api!.Completion, _relaying).Unwrap();

    /// <param name="database">SQLite file or PostgreSQL connection string.</param>
    public static async Task<PlantImageProducer> StartAsync(
        PlantSyncOptions options, string database, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("weir.plant-images");
        var producer = new PlantImageProducer(SqlDatabase.Open(database), time);
        try
        {
            await producer.Store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await SeedAsync(producer.Store, options.Producer.SeedImages, cancellationToken).ConfigureAwait(false);
            await producer.Store.MarkDeployedAsync(cancellationToken).ConfigureAwait(false);
            if (options.Producer.Relay)
            {
                producer._publisher = new KafkaChangePublisher(options.Bootstrap);
                var relay = new OutboxRelay(new Outbox(producer._database), producer._publisher, time, logger, new OutboxRelayOptions { Retention = options.Producer.OutboxRetention });
                producer.Store.Committed += relay.Notify;
                producer.Relay = relay;
                producer._relaying = RelayAsync(options, relay, logger, producer._stop.Token);
            }

            producer._api = await PlantImageService.StartAsync(
                options.Producer.Listen, producer.Store, PlantImageSide.Producer, null, producer._metrics, loggerFactory, cancellationToken).ConfigureAwait(false);
            return producer;
        }
        catch
        {
            await producer.DisposeAsync().ConfigureAwait(false);
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
            await _relaying.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _publisher?.Dispose();
        _metrics.Dispose();
        _stop.Dispose();
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Creates the topics (retrying until Kafka answers), then relays until stopped.</summary>
    private static async Task RelayAsync(PlantSyncOptions options, OutboxRelay relay, ILogger logger, CancellationToken cancellationToken)
    {
        await PlantSyncKafka.EnsureTopicsAsync(options, logger, cancellationToken).ConfigureAwait(false);
        await relay.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task SeedAsync(PlantImageStore store, int perPlant, CancellationToken cancellationToken)
    {
        var random = new Random(20231008);
        foreach (var plant in Plants.All)
        {
            if (await store.CountAsync(plant, cancellationToken).ConfigureAwait(false) > 0)
            {
                continue;
            }

            for (var i = 0; i < perPlant; i++)
            {
                var jpeg = LeafImages.Jpeg(random.Next(), diseased: random.Next(3) > 0);
                await store.CreateAsync(plant, random.Next(1, 11), 48.4 + (random.NextDouble() * 0.4), 16.4 + (random.NextDouble() * 0.6), jpeg, random, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }
}
