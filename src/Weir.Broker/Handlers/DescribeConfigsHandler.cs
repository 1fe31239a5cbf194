using System.Globalization;
using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Broker.Storage;

namespace Weir.Broker.Handlers;

/// <summary>DescribeConfigs for topics (explicit settings and defaults) and for this broker (its static settings).</summary>
internal static class DescribeConfigsHandler
{
    public static KafkaWriter Handle(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<DescribeConfigsRequest>();
        var response = new DescribeConfigsResponse();
        foreach (var resource in body.Resources)
        {
            var result = new DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            IEnumerable<(string Name, string Value, bool Explicit)> configs;
            sbyte explicitSource;
            switch (resource.ResourceType)
            {
                case DescribeConfigsRequest.TopicResource when broker.Topics.TryGet(resource.ResourceName, out var topic):
                    configs = TopicConfigs.Describe(topic.Configs, broker.Topics.Defaults);
                    explicitSource = DescribeConfigsResponse.DynamicTopicConfig;
                    break;
                case DescribeConfigsRequest.TopicResource:
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    result.ErrorMessage = $"topic '{resource.ResourceName}' does not exist";
                    continue;
                case DescribeConfigsRequest.BrokerResource when resource.ResourceName.Length == 0 || resource.ResourceName == broker.NodeId.ToString(CultureInfo.InvariantCulture):
                    configs = BrokerConfigs(broker);
                    explicitSource = DescribeConfigsResponse.StaticBrokerConfig;
                    break;
                default:
                    result.ErrorCode = ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"resource type {resource.ResourceType} '{resource.ResourceName}' is not known here";
                    continue;
            }

            foreach (var (name, value, isExplicit) in configs)
            {
                if (resource.ConfigurationKeys is { } keys && !keys.Contains(name))
                {
                    continue;
                }

                result.Configs.Add(new DescribeConfigsEntry
                {
                    Name = name,
                    Value = value,
                    IsDefault = !isExplicit,
                    ConfigSource = isExplicit ? explicitSource : DescribeConfigsResponse.DefaultConfig,
                });
            }
        }

        return request.Respond(response);
    }

    private static IEnumerable<(string, string, bool)> BrokerConfigs(BrokerContext broker)
    {
        var options = broker.Options;
        string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
        yield return ("advertised.listeners", $"PLAINTEXT://{broker.AdvertisedHost}:{broker.AdvertisedPort}", true);
        yield return ("auto.create.topics.enable", options.AutoCreateTopics ? "true" : "false", true);
        yield return ("broker.id", Invariant(options.NodeId), true);
        yield return ("log.dirs", Path.GetFullPath(options.DataDirectory), true);
        yield return ("log.retention.bytes", Invariant(options.RetentionBytes), true);
        yield return ("log.retention.check.interval.ms", Invariant(options.RetentionCheckIntervalMs), true);
        yield return ("log.retention.ms", Invariant(options.RetentionMs), true);
        yield return ("log.roll.ms", Invariant(options.SegmentMs), true);
        yield return ("log.segment.bytes", Invariant(options.SegmentBytes), true);
        yield return ("message.max.bytes", Invariant(options.MaxMessageBytes), true);
        yield return ("num.partitions", Invariant(options.DefaultPartitions), true);
        yield return ("socket.request.max.bytes", Invariant(options.MaxFrameBytes), true);
        yield return ("weir.fsync", options.Fsync.ToString(), true);
        yield return ("weir.fsync.interval.ms", Invariant(options.FsyncIntervalMs), true);
        yield return ("weir.page.cache.window.bytes", Invariant(options.PageCacheWindowBytes), true);
        yield return ("weir.sendfile.min.batch.bytes", Invariant(options.SendFileMinBatchBytes), true);
    }
}
