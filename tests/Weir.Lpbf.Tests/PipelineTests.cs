using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Job;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Pipelines.Lpbf.Orchestrator;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

/// <summary>The whole pipeline in one process: emulator, Weir's broker over TCP, the job on the engine, the orchestrator.</summary>
public sealed class PipelineTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)] // one source feeding two queries subtasks
    [InlineData(2, 2)] // a source per partition
    public async Task A_benchmark_runs_through_broker_and_job_with_every_result_posted_and_right(int parallelism, int sourceParallelism)
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var emulator = await EmulatorHost.StartAsync(o => o.Layers = 4);
        using var checkpoints = new TempDirectory("lpbf-checkpoints");
        var jobOptions = new LpbfJobOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Parallelism = parallelism,
            SourceParallelism = sourceParallelism,
            CheckpointDirectory = checkpoints.Path,
        };
        var orchestrator = new LpbfOrchestrator(
            new OrchestratorOptions { Challenger = new Uri(emulator.Url), BootstrapServers = broker.BootstrapServers, Limit = 48, Partitions = parallelism },
            NullLogger.Instance);

        // Topics first (the orchestrator creates them), then the job, then the run.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var report = await RunWithJobAsync(jobOptions, orchestrator, cancel.Token);

        Assert.Equal(48, report.Fetched);
        Assert.Equal(48, report.Posted);
        using var end = JsonDocument.Parse(report.EndResponse);
        Assert.Equal(48, end.RootElement.GetProperty("0").GetProperty("count").GetInt32());
        Assert.Equal(0, end.RootElement.GetProperty("0").GetProperty("missing").GetInt32());

        var processor = new TileProcessor(new TilePool());
        for (var batch = 0; batch < 48; batch++)
        {
            var entry = emulator.Service.DataSet[batch];
            var tiff = await File.ReadAllBytesAsync(await emulator.Service.DataSet.GetTiffPathAsync(batch, CancellationToken.None));
            var expected = processor.Process(new Batch(batch, entry.PrintId, entry.TileId, entry.Layer, tiff)).Result;
            var posted = ResultCodec.Decode(await emulator.Http.GetByteArrayAsync($"/api/get_result/0/{report.BenchId}/{batch}"));
            Assert.Equal((expected.BatchId, expected.TileId, expected.Saturated), (posted.BatchId, posted.TileId, posted.Saturated));
            KernelHarness.AssertSameClusters([.. expected.Centroids], [.. posted.Centroids], $"batch {batch}");
        }

        var pixels = await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, "saturated-pixels", 48, TimeSpan.FromSeconds(30));
        Assert.Equal(48, pixels.Count);
    }

    [Fact]
    public async Task The_orchestrator_never_has_more_batches_unanswered_than_its_prefetch()
    {
        const int prefetch = 2;
        using var data = new TempDirectory("lpbf-prefetch");
        await using var broker = await EmbeddedBroker.StartAsync();
        string benchId;
        await using (var emulator = await EmulatorHost.StartAsync(o => o.Layers = 3, data.Path))
        {
            var orchestrator = new LpbfOrchestrator(
                new OrchestratorOptions { Challenger = new Uri(emulator.Url), BootstrapServers = broker.BootstrapServers, Limit = 40, Prefetch = prefetch },
                NullLogger.Instance);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var report = await RunWithJobAsync(new LpbfJobOptions { BootstrapServers = broker.BootstrapServers }, orchestrator, cancel.Token);
            Assert.Equal(40, report.Posted);
            benchId = report.BenchId;
        }

        // The emulator journals every batch it serves and every result it receives, in the order they happen.
        var served = 0;
        var answered = 0;
        var most = 0;
        new Weir.Services.Challenger.BenchJournal(Path.Combine(data.Path, "benches", benchId)).Replay((kind, _, _, _) =>
        {
            served += kind == Weir.Services.Challenger.BenchJournal.Served ? 1 : 0;
            answered += kind == Weir.Services.Challenger.BenchJournal.Result ? 1 : 0;
            most = Math.Max(most, served - answered);
        });
        Assert.Equal((40, 40), (served, answered));
        Assert.InRange(most, 1, prefetch);
    }

    [Fact]
    public async Task Against_the_online_platforms_rules_the_limit_is_kept_by_the_orchestrator()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var emulator = await EmulatorHost.StartAsync(o =>
        {
            o.Layers = 2;
            o.OnlineRules = true;
        });
        var orchestrator = new LpbfOrchestrator(
            new OrchestratorOptions { Challenger = new Uri(emulator.Url + "/api"), BootstrapServers = broker.BootstrapServers, Limit = 20 },
            NullLogger.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var report = await RunWithJobAsync(new LpbfJobOptions { BootstrapServers = broker.BootstrapServers }, orchestrator, cancel.Token);

        Assert.Equal(20, report.Fetched);
        Assert.Equal(20, report.Posted);
        Assert.Equal("", report.EndResponse); // the platform answers /end with an empty body
        Assert.Matches("^[0-9a-f]{24}$", report.BenchId);
    }

    [Fact]
    public async Task A_batch_whose_tiff_is_broken_goes_to_the_dead_letters_as_the_original_record_behind_the_key_by()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var jobOptions = new LpbfJobOptions { BootstrapServers = broker.BootstrapServers, Parallelism = 2 };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await LpbfTopicAdmin.EnsureAsync(broker.BootstrapServers, jobOptions.Topics, 2, cancel.Token);
        var body = BatchCodec.Encode(5, "print", 3, 0, [0x49, 0x49, 0x2a, 0x00, 1, 2, 3]); // a TIFF header, then nothing usable
        var message = LpbfCodecs.RawBatchMessage("bench-x", "print", 3, body);
        using (var producer = new Confluent.Kafka.ProducerBuilder<byte[], byte[]>(new Confluent.Kafka.ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(jobOptions.Topics.RawBatch, new Confluent.Kafka.Message<byte[], byte[]> { Key = message.Key!, Value = message.Value, Headers = message.Headers }, cancel.Token);
        }

        var env = LpbfJob.Build(jobOptions, null, out var deadLetters);
        using var dlq = deadLetters;
        await using var job = env.Start();
        try
        {
            var letter = Assert.Single(await TopicRecords.ReadAtLeastAsync(broker.BootstrapServers, jobOptions.Topics.DeadLetters, 1, TimeSpan.FromSeconds(60)));
            Assert.Equal(body, letter.Value);
            Assert.Equal("print/3", letter.KeyText);
            Assert.Equal(jobOptions.Topics.RawBatch, letter.Header("weir.source.topic"));
            Assert.Equal("0", letter.Header("weir.source.offset"));
            Assert.Equal("lpbf-queries", letter.Header("weir.stage"));
            Assert.Contains("TIFF", letter.Header("weir.error"), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            job.Cancel();
        }
    }

    internal static async Task<OrchestratorReport> RunWithJobAsync(LpbfJobOptions jobOptions, LpbfOrchestrator orchestrator, CancellationToken cancellationToken)
    {
        await LpbfTopicAdmin.EnsureAsync(jobOptions.BootstrapServers, jobOptions.Topics, jobOptions.Parallelism, cancellationToken);
        var env = LpbfJob.Build(jobOptions, null, out var deadLetters);
        using var dlq = deadLetters;
        await using var job = env.Start();
        await job.Running.WaitAsync(cancellationToken);
        try
        {
            return await orchestrator.RunAsync(cancellationToken);
        }
        finally
        {
            job.Cancel();
        }
    }
}
