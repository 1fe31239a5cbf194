using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;
using Weir.Broker.Storage;

namespace Weir.Broker.Handlers;

/// <summary>
/// Fetch with long poll (research note section 5): answer at once when enough bytes are there, when a partition
/// has an error, or when max_wait is 0; otherwise park until data arrives or max_wait passes. Records are whole
/// batches, the first always whole (KIP-74): large ones sent from the segment file with sendfile
/// (<see cref="BrokerOptions.SendFileMinBatchBytes"/>), small ones copied from it straight into the response;
/// empty results are empty bytes, never null; preferred_read_replica is -1; last stable offset = high watermark.
/// </summary>
internal static class FetchHandler
{
    public static ValueTask<KafkaWriter?> HandleAsync(BrokerContext broker, RequestContext request)
    {
        var body = request.Parse<FetchRequest>();
        var targets = Resolve(broker, body);
        if (body.MaxWaitMs <= 0 || targets.Count == 0 || Ready(targets, body.MinBytes))
        {
            return ValueTask.FromResult<KafkaWriter?>(Respond(broker, request, body, targets));
        }

        return ParkAsync(broker, request, body, targets);
    }

    private static async ValueTask<KafkaWriter?> ParkAsync(BrokerContext broker, RequestContext request, FetchRequest body, List<Target> targets)
    {
        using var release = CancellationTokenSource.CreateLinkedTokenSource(broker.Stopping);
        var expired = Task.Delay(TimeSpan.FromMilliseconds(body.MaxWaitMs), broker.Time, release.Token);
        var waits = new Task[targets.Count + 1];
        while (!expired.IsCompleted)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                waits[i] = targets[i].Log!.WaitForAppendAsync();
            }

            waits[^1] = expired;

            // Re-check after registering, so an append between the last check and the registration is not missed.
            if (Ready(targets, body.MinBytes))
            {
                break;
            }

            await Task.WhenAny(waits).ConfigureAwait(false);
            if (Ready(targets, body.MinBytes))
            {
                break;
            }
        }

        await release.CancelAsync().ConfigureAwait(false);
        return Respond(broker, request, body, targets);
    }

    private static List<Target> Resolve(BrokerContext broker, FetchRequest body)
    {
        var targets = new List<Target>();
        foreach (var topicRequest in body.Topics)
        {
            broker.Topics.TryGet(topicRequest.Name, out var topic);
            foreach (var partition in topicRequest.Partitions)
            {
                targets.Add(new Target(topicRequest.Name, partition, topic?.Partition(partition.Partition)));
            }
        }

        return targets;
    }

    /// <summary>Whether the fetch should be answered now: an error to report, or min_bytes available.</summary>
    private static bool Ready(List<Target> targets, int minBytes)
    {
        long available = 0;
        foreach (var target in targets)
        {
            var log = target.Log;
            if (log is null || log.IsClosed)
            {
                return true;
            }

            var offset = target.Request.FetchOffset;
            if (offset < log.LogStartOffset || offset > log.LogEndOffset)
            {
                return true;
            }

            try
            {
                available += log.BytesAvailableAfter(offset);
            }
            catch (ObjectDisposedException)
            {
                return true;
            }

            if (available >= Math.Max(1, minBytes))
            {
                return true;
            }
        }

        return false;
    }

    private static KafkaWriter Respond(BrokerContext broker, RequestContext request, FetchRequest body, List<Target> targets)
    {
        var response = new FetchResponse();
        var budget = new Budget { Remaining = Math.Min(body.MaxBytes, broker.FetchMaxBytes) };
        FetchTopicResponse? current = null;
        foreach (var target in targets)
        {
            if (current is null || !ReferenceEquals(current.Name, target.Topic))
            {
                current = new FetchTopicResponse { Name = target.Topic };
                response.Topics.Add(current);
            }

            var result = new FetchPartitionResponse { PartitionIndex = target.Request.Partition, Records = ReadOnlyMemory<byte>.Empty };
            current.Partitions.Add(result);
            var log = target.Log;
            if (log is null || log.IsClosed)
            {
                result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                continue;
            }

            var highWatermark = log.LogEndOffset;
            result.HighWatermark = highWatermark;
            result.LastStableOffset = highWatermark;
            result.LogStartOffset = log.LogStartOffset;
            result.AbortedTransactions = request.Version >= 4 ? [] : null;
            var offset = target.Request.FetchOffset;
            if (offset < result.LogStartOffset || offset > highWatermark)
            {
                result.ErrorCode = ErrorCode.OffsetOutOfRange;
                continue;
            }

            if (offset < highWatermark)
            {
                result.RecordsSource = new LogRecords(broker, log, offset, target.Request.PartitionMaxBytes, highWatermark, budget);
            }
        }

        return request.Respond(response);
    }

    private sealed record Target(string Topic, FetchPartition Request, PartitionLog? Log);

    /// <summary>The response-wide byte budget and whether the KIP-74 "first batch whole" allowance is used up.</summary>
    private sealed class Budget
    {
        public int Remaining { get; set; }

        public bool AnyReturned { get; set; }
    }

    /// <summary>Puts a partition's batches from its segment file into the response: copied in, or as file regions.</summary>
    private sealed class LogRecords(BrokerContext broker, PartitionLog log, long offset, int partitionMaxBytes, long highWatermark, Budget budget) : IFetchRecordsSource
    {
        public void WriteRecords(KafkaWriter writer)
        {
            var lengthAt = writer.ReserveInt32();
            var limit = Math.Min(partitionMaxBytes, budget.Remaining);
            var written = 0;
            var fileBytesBefore = writer.FileBytes;
            if (limit > 0 || !budget.AnyReturned)
            {
                var mark = writer.Mark();
                try
                {
                    written = log.Read(writer, offset, Math.Max(0, limit), minOneBatch: !budget.AnyReturned, highWatermark, broker.Options.SendFileMinBatchBytes);
                }
                catch (ObjectDisposedException)
                {
                    // Deleted while reading: the client sees no data and finds out on its next metadata refresh.
                    writer.Rewind(mark);
                    written = 0;
                }
            }

            writer.PatchInt32(lengthAt, written);
            if (written > 0)
            {
                budget.Remaining -= written;
                budget.AnyReturned = true;
                broker.Metrics.FetchedBytes.Add(written);
                if (writer.FileBytes > fileBytesBefore)
                {
                    broker.Metrics.FetchedBytesSentFromFile.Add(writer.FileBytes - fileBytesBefore);
                }
            }
        }
    }
}
