using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Broker.Storage;

namespace Weir.Broker.Handlers;

/// <summary>
/// Metadata: this node (with the advertised host:port, research note P5), the cluster id, this node as
/// controller, and the requested topics, auto-creating unknown ones when allowed (always for v0-3, by the
/// request flag from v4, and only if the broker permits it).
/// </summary>
internal static class MetadataHandler
{
    public static KafkaWriter Handle(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<MetadataRequest>();
        var response = new MetadataResponse
        {
            Brokers = [new MetadataBroker { NodeId = broker.NodeId, Host = broker.AdvertisedHost, Port = broker.AdvertisedPort }],
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
        };

        if (body.Topics is null)
        {
            foreach (var topic in broker.Topics.All.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(Describe(broker, topic));
            }
        }
        else
        {
            var allowCreate = broker.Options.AutoCreateTopics && (request.Version < 4 || body.AllowAutoTopicCreation);
            foreach (var name in body.Topics)
            {
                var code = broker.Topics.GetOrCreate(name, allowCreate, out var topic);
                response.Topics.Add(topic is not null ? Describe(broker, topic) : new MetadataTopic { Name = name, ErrorCode = code });
            }
        }

        return request.Respond(response);
    }

    private static MetadataTopic Describe(BrokerContext broker, Topic topic)
    {
        var result = new MetadataTopic { Name = topic.Name };
        int[] nodes = [broker.NodeId];
        for (var i = 0; i < topic.Partitions.Length; i++)
        {
            result.Partitions.Add(new MetadataPartition
            {
                PartitionIndex = i,
                LeaderId = broker.NodeId,
                LeaderEpoch = 0,
                ReplicaNodes = nodes,
                IsrNodes = nodes,
            });
        }

        return result;
    }
}
