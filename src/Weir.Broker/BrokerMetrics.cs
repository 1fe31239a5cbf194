using System.Diagnostics.Metrics;

namespace Weir.Broker;

/// <summary>
/// The broker's instruments (meter <c>Weir.Broker</c>): recorded once per request or batch, never per record.
/// The Weir HTTP host exports them at <c>/metrics</c>.
/// </summary>
internal sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "Weir.Broker";

    private readonly Meter _meter = new(MeterName);

    public BrokerMetrics()
    {
        Requests = _meter.CreateCounter<long>("weir.broker.requests", description: "Requests handled, by API");
        ProducedRecords = _meter.CreateCounter<long>("weir.broker.produced.records", description: "Records appended to the log");
        ProducedBytes = _meter.CreateCounter<long>("weir.broker.produced.bytes", "By", "Record-batch bytes appended to the log");
        FetchedBytes = _meter.CreateCounter<long>("weir.broker.fetched.bytes", "By", "Record-batch bytes sent to consumers");
        FetchedBytesSentFromFile = _meter.CreateCounter<long>("weir.broker.fetched.sendfile.bytes", "By", "Of the fetched bytes, those sent from the page cache with sendfile rather than copied");
        BadRequests = _meter.CreateCounter<long>("weir.broker.bad.requests", description: "Malformed frames, unsupported versions, invalid batches");
        Connections = _meter.CreateUpDownCounter<long>("weir.broker.connections", description: "Open client connections");
    }

    /// <summary>The meter of this broker's instruments (tests listen to one broker's among several in a process).</summary>
    public Meter Meter => _meter;

    public Counter<long> Requests { get; }

    public Counter<long> ProducedRecords { get; }

    public Counter<long> ProducedBytes { get; }

    public Counter<long> FetchedBytes { get; }

    public Counter<long> FetchedBytesSentFromFile { get; }

    public Counter<long> BadRequests { get; }

    public UpDownCounter<long> Connections { get; }

    public void Dispose() => _meter.Dispose();
}
