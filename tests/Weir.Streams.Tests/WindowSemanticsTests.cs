using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Streams.Tests;

/// <summary>Event-time tumbling and sliding windows: when they fire, what is late, lateness, end of input.</summary>
public sealed class WindowSemanticsTests
{
    private const long Minute = 60_000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

    private (TestSource<Reading> Input, CollectSink<SensorWindow> Output, CollectSink<Reading> Late, JobTestRun Run) Job(
        TimeSpan outOfOrderness, TimeSpan? lateness = null, int parallelism = 1, TimeSpan? slide = null)
    {
        var env = StreamEnvironment.Create(new JobOptions { Name = "windows", TimeProvider = _clock, Parallelism = parallelism });
        var input = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        var late = new CollectSink<Reading>();
        var lateTag = new OutputTag<Reading>("late");
        var strategy = WatermarkStrategy.ForBoundedOutOfOrderness<Reading>(outOfOrderness).WithTimestampAssigner(r => r.Time);
        var assigner = slide is { } s
            ? SlidingEventTimeWindows.Of(TimeSpan.FromMinutes(1), s)
            : TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1));
        var windowed = env.FromSource(input, strategy, "readings")
            .KeyBy(r => r.Sensor)
            .Window(assigner)
            .SideOutputLateData(lateTag);
        if (lateness is { } l)
        {
            windowed.AllowedLateness(l);
        }

        var results = windowed.Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum));
        results.SinkTo(output);
        results.GetSideOutput(lateTag).SinkTo(late);
        return (input, output, late, JobTestRun.Start(env));
    }

    [Fact]
    public void Window_fires_when_the_watermark_reaches_its_last_millisecond()
    {
        var (input, output, _, run) = Job(TimeSpan.FromSeconds(10));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0).Emit(new Reading("a", 2, 59_999), 0);
            run.Run();
            Assert.Empty(output.Values);

            // Watermark = 69_999 − 10_000 − 1 = 59_998: one millisecond short of the window's end − 1.
            input.Emit(new Reading("a", 4, 69_999), 0);
            run.Run();
            Assert.Empty(output.Values);

            // Watermark 59_999 = end − 1: the window [0, 60 000) fires, and only it.
            input.Emit(new Reading("b", 8, 70_000), 0);
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 2, 3)], output.Values);
            Assert.Equal(Minute - 1, output.Records[0].Timestamp);
        }
    }

    [Fact]
    public void Out_of_order_records_within_the_bound_count_and_later_ones_go_to_the_late_output()
    {
        var (input, output, late, run) = Job(TimeSpan.FromSeconds(10));
        using (run)
        {
            input.Emit(new Reading("a", 1, 30_000), 0)
                .Emit(new Reading("a", 1, 65_000), 0)
                .Emit(new Reading("a", 1, 55_000), 0); // 10 s behind the newest: still within the bound
            run.Run();
            input.Emit(new Reading("a", 1, 75_000), 0); // watermark 64 999: [0, 60 000) fires
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 2, 2)], output.Values);

            input.Emit(new Reading("a", 5, 59_000), 0); // its only window has fired and there is no lateness
            run.Run();
            Assert.Equal([new Reading("a", 5, 59_000)], late.Values);
            Assert.Single(output.Values);
        }
    }

    [Fact]
    public void Allowed_lateness_fires_the_window_again_with_the_late_record()
    {
        var (input, output, late, run) = Job(TimeSpan.Zero, lateness: TimeSpan.FromSeconds(30));
        using (run)
        {
            input.Emit(new Reading("a", 1, 10_000), 0).Emit(new Reading("a", 1, 60_000), 0);
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 1, 1)], output.Take());

            input.Emit(new Reading("a", 2, 50_000), 0); // late, but within 30 s of lateness: fires again
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 2, 3)], output.Take());

            input.Emit(new Reading("a", 1, 90_000), 0); // watermark 89 999 = 59 999 + 30 000: state is gone
            run.Run();
            input.Emit(new Reading("a", 7, 20_000), 0);
            run.Run();
            Assert.Empty(output.Values);
            Assert.Equal([new Reading("a", 7, 20_000)], late.Values);
        }
    }

    [Fact]
    public void End_of_input_fires_every_open_window()
    {
        var (input, output, _, run) = Job(TimeSpan.FromSeconds(10));
        using (run)
        {
            input.Emit(new Reading("a", 1, 5_000), 0).Emit(new Reading("b", 2, 61_000), 0).Emit(new Reading("a", 3, 75_000), 0);
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 1, 1)], output.Take());
            Assert.False(run.IsFinished);

            input.EndInput();
            run.Run();
            Assert.True(run.IsFinished);
            Assert.Equal([new SensorWindow("b", Minute, 2 * Minute, 1, 2), new SensorWindow("a", Minute, 2 * Minute, 1, 3)], output.Values);
        }
    }

    [Fact]
    public void Sliding_windows_put_a_record_in_every_window_that_covers_it()
    {
        var (input, output, _, run) = Job(TimeSpan.Zero, slide: TimeSpan.FromSeconds(30));
        using (run)
        {
            input.Emit(new Reading("a", 1, 45_000), 0);
            input.EndInput();
            run.Run();
            Assert.Equal(
                [new SensorWindow("a", 0, Minute, 1, 1), new SensorWindow("a", 30_000, 90_000, 1, 1)],
                output.Values);
        }
    }

    [Fact]
    public void Negative_timestamps_fall_in_epoch_aligned_windows()
    {
        var (input, output, _, run) = Job(TimeSpan.Zero);
        using (run)
        {
            input.Emit(new Reading("a", 1, -1), 0).EndInput();
            run.Run();
            Assert.Equal([new SensorWindow("a", -Minute, 0, 1, 1)], output.Values);
        }
    }
}
