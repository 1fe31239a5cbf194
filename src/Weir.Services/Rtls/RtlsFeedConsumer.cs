using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Services.Rtls;

/// <summary>
/// What the original's Node bridge did with KafkaJS: reads out_data and out_alive (from their end: live events
/// only) and hands every record to the hub, named by its tag or anchor. Runs on its own thread.
/// </summary>
internal sealed class RtlsFeedConsumer : IAsyncDisposable
{
    private readonly string _bootstrap;
    private readonly string _positionsTopic;
    private readonly string _aliveTopic;
    private readonly RtlsFeedHub _hub;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RtlsFeedConsumer(string bootstrap, string positionsTopic, string aliveTopic, RtlsFeedHub hub, ILogger logger)
    {
        _bootstrap = bootstrap;
        _positionsTopic = positionsTopic;
        _aliveTopic = aliveTopic;
        _hub = hub;
        _logger = logger;
        _loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);
    }

    /// <summary>Set once both topics are assigned (events produced after this reach the hub).</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Run()
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrap,
            GroupId = "weir-rtls-feed",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Latest,
        }).SetLogHandler((_, message) => _logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message)).Build();
        var assigned = new HashSet<(string, int)>();
        var nextAssign = DateTime.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow >= nextAssign)
                {
                    nextAssign = DateTime.UtcNow.AddSeconds(5);
                    Assign(consumer, assigned);
                }

                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result?.Message?.Value is { } value)
                {
                    Publish(result.Topic, value);
                }
            }
            catch (KafkaException error)
            {
                _logger.LogWarning("rtls feed: {Reason}", error.Message);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Assign(IConsumer<byte[]?, byte[]?> consumer, HashSet<(string, int)> assigned)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _bootstrap }).Build();
        foreach (var topic in new[] { _positionsTopic, _aliveTopic })
        {
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Where(t => !t.Error.IsError)
                .SelectMany(t => t.Partitions.Select(p => p.PartitionId)).Where(p => assigned.Add((topic, p))).ToList();
            if (partitions.Count > 0)
            {
                // From the end: the feed is live, as the Node bridge's group was (a new browser gets the hub's snapshot).
                var ends = partitions.Select(p => new TopicPartitionOffset(topic, p,
                    consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(5)).High)).ToList();
                consumer.IncrementalAssign(ends);
            }
        }

        if (assigned.Any(a => a.Item1 == _positionsTopic) && assigned.Any(a => a.Item1 == _aliveTopic))
        {
            Ready.TrySetResult();
        }
    }

    private void Publish(string topic, byte[] value)
    {
        var json = Encoding.UTF8.GetString(value);
        try
        {
            using var document = JsonDocument.Parse(value);
            var isPosition = topic == _positionsTopic;
            var subject = document.RootElement.GetProperty(isPosition ? "tagid" : "anchorid").GetString() ?? "";
            _hub.Publish(new FeedEvent(isPosition ? "position" : "alive", subject, json));
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _logger.LogDebug("rtls feed: skipping a record of {Topic} that is not a position or liveness: {Reason}", topic, error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
