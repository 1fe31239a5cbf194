using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Factory;

/// <summary>The topics a factory component needs are missing and may not be created, or the broker cannot be reached.</summary>
internal sealed class TopicSetupException(string message) : Exception(message);

/// <summary>
/// Topic administration as the original's KafkaAdmin does it: topics are created up front with a fixed number of
/// partitions and replication factor, never left to broker auto-creation (which would pick the broker's defaults).
/// </summary>
internal static class FactoryTopics
{
    /// <summary>
    /// Makes sure <paramref name="topics"/> exist. Missing ones are created when <see cref="FactoryKafkaOptions.CreateTopics"/>
    /// is on; otherwise <see cref="TopicSetupException"/> names them and says how to create them. Returns the
    /// partition count of each topic.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, int>> EnsureAsync(FactoryKafkaOptions options, IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = options.Bootstrap,
            SocketConnectionSetupTimeoutMs = 10_000,
        }).SetLogHandler((_, _) => { }).Build();
        var wanted = topics.Distinct(StringComparer.Ordinal).ToList();
        var existing = await ListAsync(admin, options.Bootstrap, cancellationToken).ConfigureAwait(false);
        var missing = wanted.Where(t => !existing.ContainsKey(t)).ToList();
        if (missing.Count > 0 && !options.CreateTopics)
        {
            throw new TopicSetupException(
                $"topic{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(t => $"'{t}'"))} do{(missing.Count > 1 ? "" : "es")} not exist on {options.Bootstrap}, " +
                $"and topic creation is off (Factory:Kafka:CreateTopics=false). Create {(missing.Count > 1 ? "them" : "it")} first, e.g. " +
                $"`weir topics create {missing[0]} --partitions {options.Partitions} --replication-factor {options.ReplicationFactor} --bootstrap {options.Bootstrap}`.");
        }

        if (missing.Count > 0)
        {
            try
            {
                await admin.CreateTopicsAsync(
                    missing.Select(t => new TopicSpecification { Name = t, NumPartitions = options.Partitions, ReplicationFactor = options.ReplicationFactor }),
                    new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
            }
            catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
            {
                // Another process created them meanwhile: fine.
            }
            catch (CreateTopicsException e)
            {
                throw new TopicSetupException($"could not create topics on {options.Bootstrap}: " +
                    string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}")));
            }

            existing = await ListAsync(admin, options.Bootstrap, cancellationToken).ConfigureAwait(false);
        }

        return wanted.ToDictionary(t => t, t => existing.TryGetValue(t, out var partitions) ? partitions : options.Partitions, StringComparer.Ordinal);
    }

    /// <summary>Every topic and its partition count. Asking for all topics never triggers broker auto-creation.</summary>
    private static async Task<Dictionary<string, int>> ListAsync(IAdminClient admin, string bootstrap, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var metadata = await BlockingCalls.RunAsync(() => admin.GetMetadata(TimeSpan.FromSeconds(10)), cancellationToken).ConfigureAwait(false);
                return metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError)
                    .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
            }
            catch (KafkaException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                throw new TopicSetupException($"cannot reach the Kafka broker at {bootstrap}: {e.Error.Reason}");
            }
        }
    }
}
