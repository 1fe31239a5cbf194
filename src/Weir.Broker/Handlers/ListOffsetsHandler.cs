using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Handlers;

/// <summary>
/// ListOffsets v1-5: earliest (-2) = log start offset, latest (-1) = high watermark (also for read_committed:
/// no transactions, so LSO = HWM), otherwise the first record at or after the timestamp, or offset -1 with
/// error 0 when there is none (Kafka's answer).
/// </summary>
internal static class ListOffsetsHandler
{
    public static KafkaWriter Handle(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<ListOffsetsRequest>();
        var response = new ListOffsetsResponse();
        foreach (var topicRequest in body.Topics)
        {
            var topicResponse = new ListOffsetsTopicResponse { Name = topicRequest.Name };
            response.Topics.Add(topicResponse);
            broker.Topics.TryGet(topicRequest.Name, out var topic);
            foreach (var partitionRequest in topicRequest.Partitions)
            {
                var result = new ListOffsetsPartitionResponse { PartitionIndex = partitionRequest.PartitionIndex };
                topicResponse.Partitions.Add(result);
                var log = topic?.Partition(partitionRequest.PartitionIndex);
                if (log is null || log.IsClosed)
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                result.LeaderEpoch = 0;
                try
                {
                    switch (partitionRequest.Timestamp)
                    {
                        case ListOffsetsRequest.Earliest:
                            result.Offset = log.LogStartOffset;
                            break;
                        case ListOffsetsRequest.Latest:
                            result.Offset = log.LogEndOffset;
                            break;
                        case < 0:
                            result.ErrorCode = ErrorCode.UnsupportedVersion;
                            break;
                        default:
                            (result.Offset, result.Timestamp) = log.FindOffsetByTimestamp(partitionRequest.Timestamp);
                            break;
                    }
                }
                catch (ObjectDisposedException)
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                }
            }
        }

        return request.Respond(response);
    }
}
