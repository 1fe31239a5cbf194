using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Job;
using Weir.Pipelines.Shared;

namespace Weir.Pipelines.Lpbf.Orchestrator;

/// <summary>
/// The middleware between the challenger and the job (the original's Python middleware): creates and starts a
/// benchmark, fetches batches with a bounded number in flight, produces each unchanged to raw-batch (key =
/// "print_id/tile_id", header bench_id), consumes results, posts each to the challenger, and ends the benchmark
/// once every fetched batch has its result posted.
/// </summary>
internal sealed class LpbfOrchestrator(OrchestratorOptions options, ILogger logger)
{
    public async Task<OrchestratorReport> RunAsync(CancellationToken cancellationToken)
    {
        await LpbfTopicAdmin.EnsureAsync(options.BootstrapServers, options.Topics, options.Partitions, cancellationToken).ConfigureAwait(false);
        using var challenger = new ChallengerClient(options.Challenger);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            LingerMs = 0,
            Acks = Acks.All,
            EnableIdempotence = false,
            MessageMaxBytes = 16 << 20,
            SocketNagleDisable = true,
        }).Build();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = "lpbf-orchestrator",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
            SocketNagleDisable = true,
        }).Build();

        // Read results from the current end: everything for this benchmark is produced after it is created.
        AssignAtEnd(consumer, options.Topics.Results);

        var benchId = await challenger.CreateAsync(options.ApiToken, options.Name, options.Test, options.Limit, cancellationToken).ConfigureAwait(false);
        await challenger.StartAsync(benchId, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("benchmark {Bench} started at {Challenger}", benchId, challenger.BaseAddress);

        var run = new Run(benchId, options.Prefetch);
        var started = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetching = Task.Run(() => FetchAsync(challenger, producer, run, stop.Token), stop.Token);

        // The posting side blocks, in the results consumer and in each POST, so it gets a thread of its own for the
        // whole run. On the thread pool it held a pool thread most of the time; with the fetch side's final flush
        // holding another, a process with two pool threads (two cores) had none left for the broker and the
        // emulator until the pool added one, and the last batches of every run waited 0.5-1 s for their results.
        var posting = BlockingCalls.RunAsync(() => Post(challenger, consumer, run, stop), stop.Token);
        try
        {
            await Task.WhenAll(fetching, posting).ConfigureAwait(false);

            // Every batch has its result, so every produce was acknowledged: this returns at once.
            producer.Flush(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            started.Stop();
        }

        var end = await challenger.EndAsync(benchId, cancellationToken).ConfigureAwait(false);
        return new OrchestratorReport(benchId, run.Fetched, run.Posted, started.Elapsed, end);
    }

    private async Task FetchAsync(ChallengerClient challenger, IProducer<byte[], byte[]> producer, Run run, CancellationToken cancellationToken)
    {
        try
        {
            await FetchAllAsync(challenger, producer, run, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            run.Fail(error);
            throw;
        }
        finally
        {
            run.FetchDone = true;
        }
    }

    private async Task FetchAllAsync(ChallengerClient challenger, IProducer<byte[], byte[]> producer, Run run, CancellationToken cancellationToken)
    {
        while (options.Limit is not { } limit || run.Fetched < limit)
        {
            await run.InFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            var body = await challenger.NextBatchAsync(run.BenchId, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                break;
            }

            var batch = BatchCodec.Decode(body);
            run.Pending[batch.BatchId] = 0;
            run.Fetched++;
            var message = LpbfCodecs.RawBatchMessage(run.BenchId, batch.PrintId, batch.TileId, body);
            producer.Produce(
                options.Topics.RawBatch,
                new Message<byte[], byte[]> { Key = message.Key!, Value = message.Value, Headers = message.Headers },
                report =>
                {
                    if (report.Error.IsError)
                    {
                        run.Fail(new InvalidOperationException($"producing batch {batch.BatchId} to {options.Topics.RawBatch} failed: {report.Error.Reason}"));
                    }
                });
        }
    }

    private void Post(ChallengerClient challenger, IConsumer<byte[], byte[]> consumer, Run run, CancellationTokenSource stop)
    {
        try
        {
            PostAll(challenger, consumer, run, stop.Token);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            stop.Cancel(); // the fetch side may wait for a slot that this side would have freed
            throw;
        }
    }

    private void PostAll(ChallengerClient challenger, IConsumer<byte[], byte[]> consumer, Run run, CancellationToken cancellationToken)
    {
        var lastProgress = Stopwatch.StartNew();
        while (!(run.FetchDone && run.Pending.IsEmpty))
        {
            run.ThrowIfFailed();
            var record = consumer.Consume(TimeSpan.FromMilliseconds(50));
            cancellationToken.ThrowIfCancellationRequested();
            if (record is null)
            {
                if (lastProgress.Elapsed > options.Stall && !run.Pending.IsEmpty)
                {
                    throw new TimeoutException(
                        $"no result for {lastProgress.Elapsed.TotalSeconds:F0} s while {run.Pending.Count} batches wait (first: {run.Pending.Keys.Min()}): is the lpbf job running against {options.BootstrapServers}?");
                }

                continue;
            }

            (int Query, string BenchId, long BatchId, ReadOnlyMemory<byte> Result) envelope;
            try
            {
                envelope = LpbfCodecs.ReadResultEnvelope(record.Message.Value);
            }
            catch (Exception error) when (error is InvalidDataException or MessagePack.MessagePackSerializationException)
            {
                logger.LogWarning("skipping an unreadable record at {Offset} of {Topic}: {Error}", record.TopicPartitionOffset, options.Topics.Results, error.Message);
                continue;
            }

            if (envelope.BenchId != run.BenchId || !run.Pending.TryRemove(envelope.BatchId, out _))
            {
                continue; // another benchmark's result, or a repeat after a job restart
            }

            challenger.PostResult(run.BenchId, envelope.BatchId, envelope.Result, cancellationToken);
            run.Posted++;
            LpbfMetrics.ResultsPosted.Add(1);
            run.InFlight.Release();
            lastProgress.Restart();
        }
    }

    private void AssignAtEnd(IConsumer<byte[], byte[]> consumer, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single(t => t.Topic == topic);
        if (metadata.Error.IsError)
        {
            throw new InvalidOperationException($"topic {topic} is not readable: {metadata.Error.Reason}");
        }

        var positions = metadata.Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High))
            .ToList();
        consumer.Assign(positions);
    }

    /// <summary>State shared by the fetching and the posting side of one run.</summary>
    private sealed class Run(string benchId, int prefetch)
    {
        private Exception? _failure;

        public string BenchId { get; } = benchId;

        public SemaphoreSlim InFlight { get; } = new(Math.Max(1, prefetch));

        public ConcurrentDictionary<long, byte> Pending { get; } = new();

        public volatile bool FetchDone;

        public int Fetched;

        public int Posted;

        public void Fail(Exception error) => Interlocked.CompareExchange(ref _failure, error, null);

        public void ThrowIfFailed()
        {
            if (Volatile.Read(ref _failure) is { } error)
            {
                throw error;
            }
        }
    }
}
