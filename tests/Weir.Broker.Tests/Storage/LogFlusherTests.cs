using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Broker.Storage;
using Weir.Testing;

namespace Weir.Broker.Tests.Storage;

/// <summary>
/// <see cref="FsyncPolicy.Always"/>: a group commit. Whoever asks to be on disk is released by the first flush that
/// starts after the request, and every request made while a flush runs shares the next one.
/// </summary>
public sealed class LogFlusherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_request_made_while_a_flush_runs_waits_for_the_next_flush_which_all_such_requests_share()
    {
        var store = new GatedStore();
        await using var always = new AlwaysFlusher(store);
        var flusher = always.Flusher;
        Assert.True(flusher.AcksWaitForDisk);

        var first = flusher.WhenFlushedAsync();
        await store.Entered.WaitAsync(Timeout); // flush 1 runs and is held
        var second = flusher.WhenFlushedAsync();
        var third = flusher.WhenFlushedAsync();

        store.Release();
        await first.WaitAsync(Timeout);
        Assert.Equal(1, store.Completed);

        // Flush 1 started before the second and third requests, so they wait for flush 2, held now.
        await store.Entered.WaitAsync(Timeout);
        Assert.False(second.IsCompleted, "released by a flush that started before the request");
        Assert.False(third.IsCompleted, "released by a flush that started before the request");

        store.Release();
        await Task.WhenAll(second, third).WaitAsync(Timeout);
        Assert.Equal(2, store.Completed);

        // Nobody asked since flush 2 started: no third flush.
        await Task.Delay(200);
        Assert.Equal(0, store.Entered.CurrentCount);
        Assert.Equal(2, store.Completed);
    }

    [Theory]
    [InlineData("an I/O error")]
    [InlineData("any other error")]
    public async Task A_failed_flush_fails_the_requests_waiting_for_it_and_the_next_one_flushes_again(string kind)
    {
        Exception failure = kind == "an I/O error" ? new IOException("disk gone") : new InvalidOperationException("a bug in a store");
        var store = new FailingOnceStore(failure);
        await using var always = new AlwaysFlusher(store);
        var flusher = always.Flusher;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => flusher.WhenFlushedAsync().WaitAsync(Timeout));
        Assert.Same(failure, error);

        await flusher.WhenFlushedAsync().WaitAsync(Timeout);
        Assert.Equal(2, store.Calls);
    }

    [Fact]
    public async Task With_fsync_Always_a_client_gets_its_acknowledgements_its_records_and_its_commits()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.Fsync = FsyncPolicy.Always);
        const int records = 300;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All, LingerMs = 0 }).Build())
        {
            var deliveries = Enumerable.Range(0, records).Select(i => producer.ProduceAsync("durable", new Message<Null, string> { Value = $"record {i}" })).ToList();
            var results = await Task.WhenAll(deliveries).WaitAsync(Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "durable-readers",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("durable");
        ConsumeResult<Ignore, string>? last = null;
        for (var i = 0; i < records; i++)
        {
            last = consumer.Consume(Timeout) ?? throw new TimeoutException($"record {i} did not arrive");
            Assert.Equal($"record {i}", last.Message.Value);
        }

        consumer.Commit(last!); // an offset commit also waits for the flush under Always
        var committed = consumer.Committed([last!.TopicPartition], Timeout).Single();
        Assert.Equal(records, committed.Offset.Value);
    }

    /// <summary>A flusher with the Always policy over an empty topic store, flushing the given store too.</summary>
    private sealed class AlwaysFlusher : IAsyncDisposable
    {
        private readonly TempDirectory _data = new("flusher");
        private readonly TopicStore _topics;

        public AlwaysFlusher(IFlushable store)
        {
            _topics = new TopicStore(_data.Path, new LogConfig(), 1, TimeProvider.System, NullLogger.Instance);
            Flusher = new LogFlusher(_topics, FsyncPolicy.Always, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance);
            Flusher.Add(store);
        }

        public LogFlusher Flusher { get; }

        public async ValueTask DisposeAsync()
        {
            await Flusher.DisposeAsync();
            _topics.Dispose();
            _data.Dispose();
        }
    }

    /// <summary>A store whose first flush throws the given error and whose later ones succeed.</summary>
    private sealed class FailingOnceStore(Exception failure) : IFlushable
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Flush()
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw failure;
            }
        }
    }

    /// <summary>A store whose flush holds until the test releases it, and counts the flushes that finished.</summary>
    private sealed class GatedStore : IFlushable
    {
        private readonly SemaphoreSlim _gate = new(0);
        private int _completed;

        public SemaphoreSlim Entered { get; } = new(0);

        public int Completed => Volatile.Read(ref _completed);

        public void Release() => _gate.Release();

        public void Flush()
        {
            Entered.Release();
            if (!_gate.Wait(Timeout))
            {
                throw new TimeoutException("the test never released the flush");
            }

            Interlocked.Increment(ref _completed);
        }
    }
}
