using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Weir.Pipelines.Lpbf.Data;
using Weir.Pipelines.Lpbf.Formats;
using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Job;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Streams;
using Weir.Streams.Testing;
using Weir.Streams.Time;

namespace Weir.Lpbf.Tests;

public sealed class LpbfJobTests
{
    private static readonly Lazy<byte[][]> Tiffs = new(() =>
    {
        var generator = new LayerGenerator(new GeneratorOptions { Layers = 4, TileSize = 120 });
        var pixels = new ushort[120 * 120];
        return [.. Enumerable.Range(0, generator.TileCount).Select(i =>
        {
            generator.Render(i / 16, i % 16, pixels);
            return TiffTileEncoder.Encode(pixels, 120, 120);
        })];
    });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_job_emits_the_kernels_result_for_every_batch_and_the_side_topics(int parallelism)
    {
        var (input, results, pixels, rank, run) = Start(parallelism);
        using (run)
        {
            Emit(input, "bench-a", 64);
            input.EndInput();
            run.Run();
        }

        var expected = Expected(64);
        var byBatch = results.Values.ToDictionary(r => r.Result.BatchId);
        Assert.Equal(64, byBatch.Count);
        foreach (var want in expected)
        {
            var got = byBatch[want.BatchId].Result;
            Assert.Equal("bench-a", byBatch[want.BatchId].BenchId);
            Assert.Equal((want.PrintId, want.TileId, want.Saturated), (got.PrintId, got.TileId, got.Saturated));
            KernelHarness.AssertSameClusters([.. want.Centroids], [.. got.Centroids], $"batch {want.BatchId}");
        }

        Assert.All(results.Values.Where(r => r.Result.BatchId < 32), r => Assert.Empty(r.Result.Centroids));
        Assert.Equal(64, pixels.Values.Count);
        using (var first = JsonDocument.Parse(pixels.Values.Single(p => p.Contains("\"seq_id\":3,", StringComparison.Ordinal))))
        {
            Assert.Equal(expected[3].Saturated, first.RootElement.GetProperty("saturated").GetInt32());
            Assert.Equal(3, first.RootElement.GetProperty("tile_id").GetInt32());
        }

        Assert.Equal(32, rank.Values.Count);
        using var ranking = JsonDocument.Parse(rank.Values[0]);
        Assert.Equal(5, ranking.RootElement.GetProperty("top5").GetArrayLength());
    }

    [Fact]
    public void The_job_counts_tiles_outliers_and_clusters_on_its_meter()
    {
        long tiles = 0, clusters = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Weir.Pipelines.Lpbf.LpbfMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "weir_lpbf_tiles_total")
            {
                Interlocked.Add(ref tiles, value);
            }
            else if (instrument.Name == "weir_lpbf_clusters_total")
            {
                Interlocked.Add(ref clusters, value);
            }
        });
        listener.Start();

        var (input, results, _, _, run) = Start(1);
        using (run)
        {
            Emit(input, "bench-m", 48);
            input.EndInput();
            run.Run();
        }

        // Other tests may run jobs at the same time: at least this job's figures are there.
        Assert.True(Interlocked.Read(ref tiles) >= 48);
        Assert.True(Interlocked.Read(ref clusters) >= results.Values.Sum(r => r.Result.Centroids.Count));
    }

    [Fact]
    public void Each_benchmark_starts_with_empty_windows_even_in_a_long_running_job()
    {
        var (input, results, _, _, run) = Start(1);
        using (run)
        {
            Emit(input, "bench-a", 48);
            Emit(input, "bench-b", 16);
            input.EndInput();
            run.Run();
        }

        // The first layer of the second benchmark has no window yet, whatever the first benchmark left behind.
        Assert.All(results.Values.Where(r => r.BenchId == "bench-b"), r => Assert.Empty(r.Result.Centroids));
        Assert.Contains(results.Values, r => r.BenchId == "bench-a" && r.Result.Centroids.Count > 0);
    }

    [Fact]
    public void A_batch_whose_tiff_is_broken_is_a_dead_letter_and_the_stream_goes_on()
    {
        var (input, results, _, _, run) = Start(1);
        using (run)
        {
            input.Emit(new LpbfInput("b", new Batch(0, "p", 0, 0, new byte[] { 1, 2, 3 })));
            Emit(input, "b", 16);
            input.EndInput();
            run.Run();
            Assert.Equal(1, run.DeadLetters.Values.Sum());
        }

        Assert.Equal(16, results.Values.Count);
    }

    [Fact]
    public void Windows_survive_a_checkpoint_as_raw_pixels()
    {
        var pool = new TilePool();
        var window = new TileWindow();
        var random = new Random(3);
        for (var i = 0; i < 3; i++)
        {
            window.Push(KernelHarness.Tile(OutlierDetectorTests.RandomTile(random, 17, 23), 17, 23), pool);
        }

        var serializer = new TileWindowSerializer(pool);
        var buffer = new MemoryStream();
        serializer.Write(new BinaryWriter(buffer), window);
        buffer.Position = 0;
        var restored = serializer.Read(new BinaryReader(buffer));
        Assert.Equal(3, restored.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(window[i].ToArray(), restored[i].ToArray());
        }
    }

    [Fact]
    public void The_results_envelope_carries_the_exact_bytes_to_post()
    {
        var result = new QueryResult(40, "p", 8, 12, [new Centroid(1.5, 2.25, 6)]);
        var message = LpbfCodecs.ResultMessage(new LpbfResult("01JZ", result));
        var (query, bench, batch, body) = LpbfCodecs.ReadResultEnvelope(message.Value);
        Assert.Equal((0, "01JZ", 40L), (query, bench, batch));
        Assert.Equal(ResultCodec.Encode(result), body.ToArray());
        Assert.Equal("p/8", System.Text.Encoding.UTF8.GetString(message.Key!));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 0, 1)]
    [InlineData(4, 0, 1)]
    [InlineData(5, 0, 2)]
    [InlineData(16, 0, 4)]
    [InlineData(2, 2, 2)]
    [InlineData(8, 3, 3)]
    public void The_source_runs_one_subtask_per_four_queries_subtasks_unless_told(int parallelism, int sourceParallelism, int expected)
    {
        Assert.Equal(expected, new LpbfJobOptions { Parallelism = parallelism, SourceParallelism = sourceParallelism }.EffectiveSourceParallelism);
    }

    [Fact]
    public void A_negative_source_parallelism_is_refused_with_the_setting_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LpbfJob.Build(new LpbfJobOptions { SourceParallelism = -1 }, null, out _));
        Assert.Contains("Lpbf:SourceParallelism", error.Message, StringComparison.Ordinal);
    }

    private static (TestSource<LpbfInput> Input, CollectSink<LpbfResult> Results, CollectSink<string> Pixels, CollectSink<string> Rank, JobTestRun Run) Start(int parallelism)
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = parallelism, TimeProvider = new FakeTimeProvider() });
        var input = new TestSource<LpbfInput>();
        var results = new CollectSink<LpbfResult>();
        var pixels = new CollectSink<string>();
        var rank = new CollectSink<string>();
        LpbfJob.Wire(env.FromSource(input, WatermarkStrategy.NoWatermarks<LpbfInput>(), "raw-batch"), results, pixels, rank);
        return (input, results, pixels, rank, JobTestRun.Start(env));
    }

    private static void Emit(TestSource<LpbfInput> input, string bench, int count)
    {
        for (var i = 0; i < count; i++)
        {
            input.Emit(new LpbfInput(bench, new Batch(i, "SI266220200309225433", i % 16, i / 16, Tiffs.Value[i])));
        }
    }

    private static List<QueryResult> Expected(int count)
    {
        var processor = new TileProcessor(new TilePool());
        return [.. Enumerable.Range(0, count).Select(i => processor.Process(new Batch(i, "SI266220200309225433", i % 16, i / 16, Tiffs.Value[i])).Result)];
    }
}
