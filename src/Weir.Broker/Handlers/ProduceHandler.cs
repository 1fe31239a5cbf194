using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Broker.Storage;

namespace Weir.Broker.Handlers;

/// <summary>
/// Produce: validates each partition's batches (research note section 3), appends them as received, and answers
/// with the base offsets. acks=0 gets no response at all; with fsync policy Always the answer waits for the
/// group-commit flush. A bad batch fails only its own partition and is logged once with the client address.
/// </summary>
internal static class ProduceHandler
{
    public static ValueTask<KafkaWriter?> HandleAsync(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<ProduceRequest>();
        var response = new ProduceResponse();
        var validAcks = body.Acks is -1 or 0 or 1;
        var appended = false;
        foreach (var topicData in body.Topics)
        {
            var topicResponse = new ProduceTopicResponse { Name = topicData.Name };
            response.Topics.Add(topicResponse);
            broker.Topics.TryGet(topicData.Name, out var topic);
            foreach (var partitionData in topicData.Partitions)
            {
                var result = new ProducePartitionResponse { Index = partitionData.Index };
                topicResponse.Partitions.Add(result);
                var log = topic?.Partition(partitionData.Index);
                if (!validAcks)
                {
                    result.ErrorCode = ErrorCode.InvalidRequiredAcks;
                }
                else if (log is null)
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                }
                else
                {
                    appended |= Append(broker, request, log, partitionData.Records, result);
                }
            }
        }

        if (body.Acks == 0)
        {
            return ValueTask.FromResult<KafkaWriter?>(null);
        }

        return appended && broker.Flusher.AcksWaitForDisk
            ? RespondAfterFlushAsync(broker, request, response)
            : ValueTask.FromResult<KafkaWriter?>(request.Respond(response));
    }

    private static bool Append(BrokerContext broker, RequestContext request, PartitionLog log, Memory<byte>? records, ProducePartitionResponse result)
    {
        var span = records is { } memory ? memory.Span : [];
        var code = BatchValidator.Validate(span, exactlyOneBatch: request.Version >= 3, log.Config.MaxMessageBytes, out var message);
        if (code != ErrorCode.None)
        {
            request.Connection.LogBadInput($"produce to {log.Topic}-{log.Partition} refused ({code}): {message}");
            result.ErrorCode = code;
            result.ErrorMessage = message;
            return false;
        }

        try
        {
            code = log.Append(span, out var baseOffset, out var logAppendTime);
            if (code != ErrorCode.None)
            {
                // Sequence and epoch errors of idempotent producers: the client handles them; nothing was written.
                result.ErrorCode = code;
                return false;
            }

            result.BaseOffset = baseOffset;
            result.LogAppendTimeMs = logAppendTime;
            result.LogStartOffset = log.LogStartOffset;
        }
        catch (ObjectDisposedException)
        {
            // The topic was deleted while this request was in flight.
            result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
            return false;
        }

        broker.Metrics.ProducedBytes.Add(span.Length);
        broker.Metrics.ProducedRecords.Add(CountRecords(span));
        return true;
    }

    private static long CountRecords(ReadOnlySpan<byte> records)
    {
        long count = 0;
        while (records.Length >= RecordBatch.HeaderSize)
        {
            var header = new RecordBatch(records);
            count += header.RecordsCount;
            records = records[header.TotalSize..];
        }

        return count;
    }

    private static async ValueTask<KafkaWriter?> RespondAfterFlushAsync(BrokerContext broker, RequestContext request, ProduceResponse response)
    {
        try
        {
            await broker.Flusher.WhenFlushedAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            foreach (var topic in response.Topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    if (partition.ErrorCode == ErrorCode.None)
                    {
                        partition.ErrorCode = ErrorCode.KafkaStorageError;
                        partition.ErrorMessage = "fsync failed: " + error.Message;
                    }
                }
            }
        }

        return request.Respond(response);
    }
}
