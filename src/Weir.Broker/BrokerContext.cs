using Microsoft.Extensions.Logging;
using Weir.Broker.Groups;
using Weir.Broker.Producers;
using Weir.Broker.Storage;

namespace Weir.Broker;

/// <summary>What request handlers share: the topics, the flusher, the clock, this node's identity.</summary>
internal sealed class BrokerContext
{
    public required BrokerOptions Options { get; init; }

    public required TopicStore Topics { get; init; }

    public required LogFlusher Flusher { get; init; }

    public required GroupCoordinator Groups { get; init; }

    public required ProducerIdAllocator ProducerIds { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Log { get; init; }

    public required BrokerMetrics Metrics { get; init; }

    public required string ClusterId { get; init; }

    public int NodeId => Options.NodeId;

    /// <summary>Host and port clients are told to connect to.</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    public int AdvertisedPort { get; set; }

    /// <summary>Cancelled when the broker stops: parked requests answer at once.</summary>
    public CancellationToken Stopping { get; init; }

    /// <summary>Cap on one fetch response (Kafka's broker fetch.max.bytes).</summary>
    public int FetchMaxBytes { get; init; } = 55 * 1024 * 1024;
}
