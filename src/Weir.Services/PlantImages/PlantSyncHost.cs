using Microsoft.Extensions.Logging;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Services.Hosting;
using Weir.Services.Metrics;

namespace Weir.Services.PlantImages;

/// <summary>
/// What both sides of the sync are while they run: a database, the image API over it with the pipeline's metrics,
/// and background work (the producer's outbox relay, the consumer's Kafka loop) that stops when the host is disposed.
/// </summary>
internal abstract class PlantSyncHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PrometheusCollector _metrics = new(m => m.Name == PlantSyncMetrics.MeterName);
    private WebService? _api;
    private Task? _background;

    protected PlantSyncHost(SqlDatabase database, TimeProvider time)
    {
        Database = database;
        Store = new PlantImageStore(database, time);
    }

    public PlantImageStore Store { get; }

    public Uri Address => _api!.Address;

    public string DatabaseDescription => Database.Description;

    /// <summary>Completes (or faults) when the API or the background work stops on its own.</summary>
    public Task Completion => _background is null ? _api!.Completion : Task.WhenAny(_api!.Completion, _background).Unwrap();

    protected SqlDatabase Database { get; }

    /// <summary>Cancelled when the host is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync().ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_background is not null)
        {
            try
            {
                await _background.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        DisposeOwned();
        _metrics.Dispose();
        _stop.Dispose();
        await Database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="start"/> on a new host; a failure disposes what was started and rethrows.</summary>
    protected static async Task<T> StartAsync<T>(T host, Func<T, Task> start)
        where T : PlantSyncHost
    {
        try
        {
            await start(host).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected void RunInBackground(Task work) => _background = work;

    protected async Task ServeAsync(string listen, PlantImageSide side, string? producerApi, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        _api = await PlantImageService.StartAsync(listen, Store, side, producerApi, _metrics, loggerFactory, cancellationToken).ConfigureAwait(false);

    /// <summary>Disposes what a side owns besides the common parts, after its background work stopped.</summary>
    protected virtual void DisposeOwned()
    {
    }
}
