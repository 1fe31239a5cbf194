using Weir.Pipelines.Lpbf.Imaging;
using Weir.Pipelines.Lpbf.Kernels;
using Weir.Streams;
using Weir.Streams.State;

namespace Weir.Pipelines.Lpbf.Job;

/// <summary>
/// Q1, Q2 and Q3 per batch, with the three-layer window of each key in keyed state (checkpointed as raw
/// pixels). Emits the result for every batch, Q1 on <see cref="SaturatedPixels"/> and, for full windows, Q2's
/// ranking on <see cref="SaturatedRank"/>. A TIFF that cannot be decoded throws, which sends the batch to the
/// dead letters and leaves its window as it was. A key with no batch for <see cref="IdleTimeout"/> of processing
/// time is forgotten, so finished benchmarks do not keep their tiles.
/// </summary>
internal sealed class LpbfQueriesFunction(TilePool pool) : KeyedProcessFunction<string, LpbfInput, LpbfResult>
{
    public static readonly OutputTag<Formats.QueryResult> SaturatedPixels = new("saturated-pixels");
    public static readonly OutputTag<LpbfRanking> SaturatedRank = new("saturated-rank");
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    private IValueState<TileWindow> _window = null!;
    private IValueState<long> _expiry = null!;
    private TileProcessor _processor = null!;

    public override void Open(KeyedFunctionContext context)
    {
        _window = context.GetValueState("window", new TileWindowSerializer(pool));
        _expiry = context.GetValueState<long>("expiry");
        _processor = new TileProcessor(pool);
    }

    public override void ProcessElement(LpbfInput value, KeyedContext<string> context, Collector<LpbfResult> output)
    {
        var batch = value.Batch;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var tile = pool.Rent();
        try
        {
            TiffTileDecoder.Decode(batch.Tiff, tile);
        }
        catch
        {
            pool.Return(tile);
            throw;
        }

        var window = _window.HasValue ? _window.Value : new TileWindow();
        var outcome = _processor.Process(batch.BatchId, batch.PrintId, batch.TileId, batch.Layer, tile, window);
        _window.Value = window;
        LpbfMetrics.TileSeconds.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        LpbfMetrics.Tiles.Add(1);
        LpbfMetrics.Outliers.Add(outcome.OutlierCount);
        LpbfMetrics.Clusters.Add(outcome.Result.Centroids.Count);
        output.Collect(new LpbfResult(value.BenchId, outcome.Result));
        context.Output(SaturatedPixels, outcome.Result);
        if (outcome.WindowFull)
        {
            context.Output(SaturatedRank, new LpbfRanking(batch.BatchId, batch.PrintId, batch.TileId, outcome.Top5));
        }

        if (_expiry.HasValue)
        {
            context.Timers.DeleteProcessingTimeTimer(_expiry.Value);
        }

        _expiry.Value = context.CurrentProcessingTime + (long)IdleTimeout.TotalMilliseconds;
        context.Timers.RegisterProcessingTimeTimer(_expiry.Value);
    }

    public override void OnTimer(long timestamp, KeyedTimerContext<string> context, Collector<LpbfResult> output)
    {
        if (_window.HasValue)
        {
            _window.Value.Clear(pool);
            _window.Clear();
        }

        _expiry.Clear();
    }
}
