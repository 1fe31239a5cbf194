using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// Keeps an <see cref="AnchorRegistry"/> in step with the compacted anchors topic: key = anchor id, value = [x, y],
/// an empty value (tombstone) removes the anchor. Reads every partition from the beginning, so a compacted topic
/// gives the current anchors; then follows new records while the job runs. This stands in for a broadcast stream,
/// which the engine does not have (docs/pipelines/rtls.md).
/// </summary>
internal sealed class AnchorsTopicFollower : IAsyncDisposable
{
    private readonly string _bootstrap;
    private readonly string _topic;
    private readonly AnchorRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    public AnchorsTopicFollower(string bootstrap, string topic, AnchorRegistry registry, ILogger logger)
    {
        _bootstrap = bootstrap;
        _topic = topic;
        _registry = registry;
        _logger = logger;
    }

    public long Applied { get; private set; }

    /// <summary>Starts following; completes once the topic's current content is applied (or after <paramref name="timeout"/>).</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _loop = Task.Factory.StartNew(Follow, TaskCreationOptions.LongRunning);
        await Task.WhenAny(_caughtUp.Task, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (!_caughtUp.Task.IsCompleted)
        {
            _logger.LogWarning("anchors topic {Topic} not read to its end within {Timeout}; starting with {Count} anchors", _topic, timeout, _registry.Current.Count);
        }
    }

    private void Follow()
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrap,
            GroupId = $"weir-anchors-{Guid.NewGuid():N}", // not committed: every follower reads the whole topic
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).SetLogHandler((_, message) => _logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message)).Build();
        var atEnd = new Dictionary<int, bool>();
        var nextAssign = DateTime.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow >= nextAssign)
                {
                    nextAssign = DateTime.UtcNow.AddSeconds(5);
                    Assign(consumer, atEnd);
                }

                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    if (atEnd.Count == 0)
                    {
                        _caughtUp.TrySetResult(); // no topic yet: nothing to catch up with
                    }

                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    atEnd[result.Partition.Value] = true;
                    if (atEnd.Values.All(e => e))
                    {
                        _caughtUp.TrySetResult();
                    }

                    continue;
                }

                Apply(result.Message.Key, result.Message.Value, result.Partition.Value, result.Offset.Value);
            }
            catch (KafkaException error)
            {
                _logger.LogWarning("anchors topic {Topic}: {Reason}", _topic, error.Message);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Assign(IConsumer<byte[]?, byte[]?> consumer, Dictionary<int, bool> atEnd)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _bootstrap }).Build();
        var partitions = admin.GetMetadata(_topic, TimeSpan.FromSeconds(5)).Topics
            .Where(t => !t.Error.IsError).SelectMany(t => t.Partitions.Select(p => p.PartitionId)).Where(p => !atEnd.ContainsKey(p)).ToList();
        if (partitions.Count > 0)
        {
            consumer.IncrementalAssign(partitions.Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
            foreach (var p in partitions)
            {
                atEnd[p] = false;
            }
        }
    }

    private void Apply(byte[]? key, byte[]? value, int partition, long offset)
    {
        if (key is null || key.Length == 0)
        {
            _logger.LogWarning("anchors topic {Topic}-{Partition}@{Offset}: a record without an anchor id as key is ignored", _topic, partition, offset);
            return;
        }

        var anchorId = Encoding.UTF8.GetString(key);
        try
        {
            _registry.Apply(anchorId, value is null || value.Length == 0 ? null : AnchorMap.ParsePosition(anchorId, value));
            Applied++;
            _logger.LogInformation("anchor {Anchor} {Change} (from {Topic})", anchorId, value is null || value.Length == 0 ? "removed" : Encoding.UTF8.GetString(value), _topic);
        }
        catch (FormatException error)
        {
            _logger.LogWarning("anchors topic {Topic}-{Partition}@{Offset}: {Reason}; the anchor keeps its position", _topic, partition, offset, error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
