using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Handlers;

/// <summary>CreateTopics and DeleteTopics (this node is always the controller).</summary>
internal static class TopicAdminHandlers
{
    public static KafkaWriter CreateTopics(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<CreateTopicsRequest>();
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = body.Topics.Where(t => !seen.Add(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in body.Topics)
        {
            var result = new CreatableTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            if (duplicates.Contains(topic.Name))
            {
                result.ErrorCode = ErrorCode.InvalidRequest;
                result.ErrorMessage = $"topic '{topic.Name}' appears more than once in the request";
                continue;
            }

            var partitions = topic.NumPartitions;
            if (topic.Assignments.Count > 0)
            {
                if (partitions != -1 || topic.ReplicationFactor != -1)
                {
                    result.ErrorCode = ErrorCode.InvalidRequest;
                    result.ErrorMessage = "give either replica assignments or partitions and replication factor, not both";
                    continue;
                }

                var valid = topic.Assignments.OrderBy(a => a.PartitionIndex).Select((a, i) => a.PartitionIndex == i && a.BrokerIds is [var id] && id == broker.NodeId).All(ok => ok);
                if (!valid)
                {
                    result.ErrorCode = ErrorCode.InvalidReplicaAssignment;
                    result.ErrorMessage = $"partitions 0..n-1 must each be assigned to this node ({broker.NodeId}) only";
                    continue;
                }

                partitions = topic.Assignments.Count;
            }

            var configs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var config in topic.Configs)
            {
                if (config.Value is not null)
                {
                    configs[config.Name] = config.Value;
                }
            }

            result.ErrorCode = broker.Topics.Create(topic.Name, partitions, topic.Assignments.Count > 0 ? (short)1 : topic.ReplicationFactor, configs, body.ValidateOnly, out var error);
            result.ErrorMessage = error;
        }

        return request.Respond(response);
    }

    public static KafkaWriter DeleteTopics(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<DeleteTopicsRequest>();
        var response = new DeleteTopicsResponse();
        foreach (var name in body.TopicNames)
        {
            response.Responses.Add(new DeletableTopicResult(name, broker.Topics.Delete(name)));
        }

        return request.Respond(response);
    }
}
