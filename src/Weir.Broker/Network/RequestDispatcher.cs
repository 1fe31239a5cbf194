using Weir.Broker.Handlers;
using Weir.Broker.Protocol;

namespace Weir.Broker.Network;

/// <summary>
/// Routes a request to its handler. Anything outside the advertised table is refused here: ApiVersions with
/// the KIP-511 answer, everything else with a <see cref="ProtocolException"/> that closes the connection
/// (research note P4: never guess a layout).
/// </summary>
internal sealed class RequestDispatcher(BrokerContext broker)
{
    public ValueTask<KafkaWriter?> DispatchAsync(RequestContext request)
    {
        var header = request.Header;
        broker.Metrics.Requests.Add(1, new KeyValuePair<string, object?>("api", header.ApiKey.ToString()));
        if (header.ApiKey == ApiKey.ApiVersions)
        {
            return Done(ApiVersionsHandler.Handle(request));
        }

        if (!SupportedApis.IsSupported(header.ApiKey, header.ApiVersion))
        {
            var range = SupportedApis.Find(header.ApiKey);
            ProtocolException.Throw(range is null
                ? $"unknown or unsupported API key {(short)header.ApiKey}; closing the connection"
                : $"{header.ApiKey} v{header.ApiVersion} is not supported (v{range.Value.MinVersion}-{range.Value.MaxVersion} are); closing the connection");
        }

        return header.ApiKey switch
        {
            ApiKey.Produce => ProduceHandler.HandleAsync(broker, request),
            ApiKey.Fetch => FetchHandler.HandleAsync(broker, request),
            ApiKey.ListOffsets => Done(ListOffsetsHandler.Handle(broker, request)),
            ApiKey.Metadata => Done(MetadataHandler.Handle(broker, request)),
            ApiKey.CreateTopics => Done(TopicAdminHandlers.CreateTopics(broker, request)),
            ApiKey.DeleteTopics => Done(TopicAdminHandlers.DeleteTopics(broker, request)),
            ApiKey.DescribeConfigs => Done(DescribeConfigsHandler.Handle(broker, request)),
            ApiKey.FindCoordinator => Done(GroupHandlers.FindCoordinator(broker, request)),
            ApiKey.JoinGroup => GroupHandlers.JoinGroupAsync(broker, request),
            ApiKey.SyncGroup => GroupHandlers.SyncGroupAsync(broker, request),
            ApiKey.Heartbeat => Done(GroupHandlers.Heartbeat(broker, request)),
            ApiKey.LeaveGroup => Done(GroupHandlers.LeaveGroup(broker, request)),
            ApiKey.OffsetCommit => GroupHandlers.OffsetCommitAsync(broker, request),
            ApiKey.OffsetFetch => Done(GroupHandlers.OffsetFetch(broker, request)),
            ApiKey.DescribeGroups => Done(GroupHandlers.DescribeGroups(broker, request)),
            ApiKey.ListGroups => Done(GroupHandlers.ListGroups(broker, request)),
            ApiKey.DeleteGroups => Done(GroupHandlers.DeleteGroups(broker, request)),
            ApiKey.InitProducerId => Done(InitProducerIdHandler.Handle(broker, request)),
            _ => ProtocolException.Throw<ValueTask<KafkaWriter?>>($"no handler for {header.ApiKey}"),
        };
    }

    private static ValueTask<KafkaWriter?> Done(KafkaWriter response) => ValueTask.FromResult<KafkaWriter?>(response);
}
