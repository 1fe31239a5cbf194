using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Streams.Tests;

/// <summary>Per-split watermarks combined by minimum, idleness, explicit watermarks, unions.</summary>
public sealed class WatermarkTests
{
    private const long Minute = 60_000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

    private (TestSource<Reading> Input, CollectSink<SensorWindow> Output, JobTestRun Run) Job(WatermarkStrategy<Reading> strategy, int parallelism = 1)
    {
        var env = StreamEnvironment.Create(new JobOptions
        {
            Name = "watermarks",
            TimeProvider = _clock,
            Parallelism = parallelism,
            WatermarkInterval = TimeSpan.FromSeconds(1),
        });
        var input = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        env.FromSource(input, strategy, "readings")
            .KeyBy(r => r.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .SinkTo(output);
        return (input, output, JobTestRun.Start(env));
    }

    private static WatermarkStrategy<Reading> Bounded(TimeSpan outOfOrderness) =>
        WatermarkStrategy.ForBoundedOutOfOrderness<Reading>(outOfOrderness).WithTimestampAssigner(r => r.Time);

    [Fact]
    public void The_slowest_split_holds_the_watermark_back()
    {
        var (input, output, run) = Job(Bounded(TimeSpan.Zero));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0, split: 0).Emit(new Reading("b", 1, 2_000), 0, split: 1);
            input.Emit(new Reading("a", 1, 200_000), 0, split: 0);
            run.Run();
            Assert.Empty(output.Values); // split 1 is still at 2 000

            input.Emit(new Reading("b", 1, 61_000), 0, split: 1); // both splits past 60 000
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 1, 1), new SensorWindow("b", 0, Minute, 1, 1)], output.Values);
        }
    }

    [Fact]
    public void An_idle_split_stops_holding_the_watermark_back_after_the_timeout()
    {
        var (input, output, run) = Job(Bounded(TimeSpan.Zero).WithIdleness(TimeSpan.FromSeconds(5)));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0, split: 0).Emit(new Reading("b", 1, 2_000), 0, split: 1);
            run.Run();
            _clock.Advance(TimeSpan.FromSeconds(1));
            run.Run();

            // Split 0 keeps delivering; split 1 falls silent.
            for (var second = 2; second <= 8; second++)
            {
                input.Emit(new Reading("a", 1, second * 30_000), 0, split: 0);
                _clock.Advance(TimeSpan.FromSeconds(1));
                run.Run();
                if (second < 6)
                {
                    Assert.Empty(output.Values); // not idle for 5 s yet
                }
            }

            Assert.Contains(new SensorWindow("b", 0, Minute, 1, 1), output.Values);
            Assert.Contains(new SensorWindow("a", 0, Minute, 1, 1), output.Values);

            // The idle split comes back: it holds event time again from where it stands.
            output.Clear();
            input.Emit(new Reading("b", 1, 250_000), 0, split: 1);
            run.Run();
            input.Emit(new Reading("a", 1, 400_000), 0, split: 0);
            run.Run();
            Assert.DoesNotContain(output.Values, w => w.Start >= 240_000);
        }
    }

    [Fact]
    public void Without_idleness_a_silent_split_stalls_event_time()
    {
        var (input, output, run) = Job(Bounded(TimeSpan.Zero));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0, split: 0).Emit(new Reading("b", 1, 2_000), 0, split: 1);
            run.Run();
            for (var second = 1; second <= 30; second++)
            {
                input.Emit(new Reading("a", 1, second * 60_000), 0, split: 0);
                _clock.Advance(TimeSpan.FromSeconds(1));
                run.Run();
            }

            Assert.Empty(output.Values);
        }
    }

    [Fact]
    public void The_record_timestamp_from_the_source_is_used_when_there_is_no_assigner()
    {
        var (input, output, run) = Job(WatermarkStrategy.ForBoundedOutOfOrderness<Reading>(TimeSpan.Zero));
        using (run)
        {
            input.Emit(new Reading("a", 1, Time: 999_999), 1_000).Emit(new Reading("a", 2, 0), 70_000);
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 1, 1)], output.Values);
        }
    }

    [Fact]
    public void An_ended_split_neither_holds_back_nor_finishes_event_time()
    {
        var (input, output, run) = Job(Bounded(TimeSpan.Zero));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0, split: 0).Emit(new Reading("b", 1, 2_000), 0, split: 1);
            input.EndSplit(1);
            run.Run();
            Assert.Empty(output.Values); // split 0 is at 1 000; the end of split 1 does not push time to the end

            input.Emit(new Reading("a", 1, 60_000), 0, split: 0);
            run.Run();
            Assert.Equal(2, output.Count);
        }
    }

    [Fact]
    public void A_split_that_ends_before_the_others_appear_does_not_end_event_time()
    {
        // A restored Kafka reader whose first partition is already done: that split ends before the others exist.
        var (input, output, run) = Job(Bounded(TimeSpan.Zero));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0, split: 0).EndSplit(0);
            run.Run();
            input.Emit(new Reading("b", 1, 2_000), 0, split: 1).Emit(new Reading("a", 1, 3_000), 0, split: 1);
            run.Run();
            Assert.Empty(output.Values);
            input.EndInput();
            run.Run();
            Assert.Equal([new SensorWindow("a", 0, Minute, 2, 2), new SensorWindow("b", 0, Minute, 1, 1)], output.Values.OrderBy(w => w.Sensor));
        }
    }

    [Fact]
    public void No_watermarks_means_windows_fire_at_end_of_input_only()
    {
        var (input, output, run) = Job(WatermarkStrategy.NoWatermarks<Reading>().WithTimestampAssigner(r => r.Time));
        using (run)
        {
            input.Emit(new Reading("a", 1, 1_000), 0).Emit(new Reading("a", 1, 500_000), 0);
            run.Run();
            Assert.Empty(output.Values);
            input.EndInput();
            run.Run();
            Assert.Equal(2, output.Count);
        }
    }

    /// <summary>Two sources in a union, one-minute windows per sensor behind it.</summary>
    private (TestSource<Reading> Left, TestSource<Reading> Right, CollectSink<SensorWindow> Output, JobTestRun Run) UnionJob()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock, WatermarkInterval = TimeSpan.FromSeconds(1) });
        var left = new TestSource<Reading>();
        var right = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        var strategy = Bounded(TimeSpan.Zero);
        env.FromSource(left, strategy, "left")
            .Union(env.FromSource(right, strategy, "right"))
            .KeyBy(r => r.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .SinkTo(output);
        return (left, right, output, JobTestRun.Start(env));
    }

    [Fact]
    public void A_union_takes_the_minimum_of_its_inputs()
    {
        var (left, right, output, run) = UnionJob();
        using var _ = run;
        left.Emit(new Reading("a", 1, 1_000), 0).Emit(new Reading("a", 1, 100_000), 0);
        right.Emit(new Reading("a", 1, 2_000), 0);
        run.Run();
        Assert.Empty(output.Values);
        right.Emit(new Reading("a", 1, 60_000), 0);
        run.Run();
        Assert.Equal([new SensorWindow("a", 0, Minute, 2, 2)], output.Values);
    }

    [Fact]
    public void A_source_whose_splits_all_moved_away_turns_idle_and_a_split_that_comes_back_holds_event_time_again()
    {
        // As a Kafka source in group mode whose partitions are all revoked, then one assigned again.
        var (left, right, output, run) = UnionJob();
        using var _ = run;
        left.Emit(new Reading("a", 1, 1_000), 0).Emit(new Reading("a", 1, 100_000), 0);
        right.Emit(new Reading("a", 1, 2_000), 0, split: 0).EndSplit(0);
        run.Run();
        Assert.Empty(output.Values); // the right source still stands at 2 000 until its periodic check

        _clock.Advance(TimeSpan.FromSeconds(1));
        run.Run();
        Assert.Equal([new SensorWindow("a", 0, Minute, 2, 2)], output.Values); // split-less: idle, no longer the minimum

        output.Clear();
        right.Emit(new Reading("a", 1, 150_000), 0, split: 1);
        left.Emit(new Reading("a", 1, 300_000), 0);
        run.Run();
        Assert.Equal([new SensorWindow("a", Minute, 2 * Minute, 1, 1)], output.Values); // the new split holds time at 150 000
    }

    [Fact]
    public void A_watermark_strategy_in_the_middle_of_a_job_emits_on_the_interval()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock, WatermarkInterval = TimeSpan.FromMilliseconds(200) });
        var input = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "readings")
            .Filter(r => r.Value >= 0)
            .AssignTimestampsAndWatermarks(Bounded(TimeSpan.Zero))
            .KeyBy(r => r.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .SinkTo(output);
        using var run = JobTestRun.Start(env);
        input.Emit(new Reading("a", 1, 1_000)).Emit(new Reading("a", 1, 60_000));
        run.Run();
        Assert.Empty(output.Values);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        run.Run();
        Assert.Equal([new SensorWindow("a", 0, Minute, 1, 1)], output.Values);
    }
}
