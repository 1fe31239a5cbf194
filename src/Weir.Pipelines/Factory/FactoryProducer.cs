using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.Factory;

/// <summary>
/// The producers of the factory pipeline: one per configured endpoint → topic, all running at once (the original
/// runs two producer threads). Topics are created up front, or their absence is an error with a clear message.
/// </summary>
internal static class FactoryProducer
{
    public static async Task<IReadOnlyList<StreamProducerResult>> RunAsync(
        FactoryProducerOptions options,
        FactoryKafkaOptions kafka,
        string stateFolder,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var streams = options.EffectiveStreams;
        foreach (var stream in streams)
        {
            if (string.IsNullOrWhiteSpace(stream.Endpoint) || string.IsNullOrWhiteSpace(stream.Topic))
            {
                throw new ArgumentException("every factory stream needs an Endpoint and a Topic");
            }
        }

        if (!Uri.TryCreate(options.Api.EndsWith('/') ? options.Api : options.Api + "/", UriKind.Absolute, out var api))
        {
            throw new ArgumentException($"'{options.Api}' is not an absolute URL (e.g. http://127.0.0.1:5000)");
        }

        var partitions = await FactoryTopics.EnsureAsync(kafka, streams.Select(s => s.Topic), cancellationToken).ConfigureAwait(false);
        var idle = TimeSpan.FromSeconds(Math.Max(30, options.MaxBackoff * 3));
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = idle };
        var store = new ProducerProgressStore(stateFolder);
        var log = loggerFactory.CreateLogger("weir.factory.producer");
        var runs = streams.Select(stream => Task.Run(
            () => new StreamProducer(stream, api, kafka, store, http, time, log, TimeSpan.FromSeconds(options.MaxBackoff), idle)
                .RunAsync(partitions[stream.Topic], cancellationToken),
            cancellationToken)).ToList();
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }
}
