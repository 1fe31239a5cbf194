using Microsoft.Extensions.Time.Testing;
using Weir.Streams.State;
using Weir.Streams.Testing;
using Weir.Streams.Time;

namespace Weir.Streams.Tests;

/// <summary>Keyed process functions: value, list and map state; event- and processing-time timers; side outputs.</summary>
public sealed class KeyedProcessTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

    /// <summary>Emits "key went silent at T" when no reading arrives for 10 s of event time (RTLS liveness shape).</summary>
    private sealed class Liveness : KeyedProcessFunction<string, Reading, string>
    {
        private IValueState<long> _deadline = null!;
        private IListState<double> _values = null!;
        private IMapState<string, int> _seen = null!;

        public override void Open(KeyedFunctionContext context)
        {
            _deadline = context.GetValueState<long>("deadline");
            _values = context.GetListState<double>("values");
            _seen = context.GetMapState<string, int>("seen");
        }

        public override void ProcessElement(Reading value, KeyedContext<string> context, Collector<string> output)
        {
            if (_deadline.HasValue)
            {
                context.Timers.DeleteEventTimeTimer(_deadline.Value);
            }

            _deadline.Value = context.Timestamp + 10_000;
            context.Timers.RegisterEventTimeTimer(_deadline.Value);
            _values.Add(value.Value);
            _seen[value.Sensor] = _seen.TryGetValue(value.Sensor, out var n) ? n + 1 : 1;
        }

        public override void OnTimer(long timestamp, KeyedTimerContext<string> context, Collector<string> output)
        {
            output.Collect($"{context.CurrentKey} silent at {timestamp} after {string.Join("+", _values.Get())} ({_seen[context.CurrentKey]} readings, {context.TimeDomain})");
            _deadline.Clear();
            _values.Clear();
            _seen.Clear();
        }
    }

    [Fact]
    public void Event_time_timers_fire_per_key_when_the_watermark_passes_them()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock, Parallelism = 2 });
        var input = new TestSource<Reading>();
        var output = new CollectSink<string>();
        env.FromSource(input, WatermarkStrategy.ForMonotonousTimestamps<Reading>().WithTimestampAssigner(r => r.Time), "readings")
            .KeyBy(r => r.Sensor)
            .Process(new Liveness())
            .SinkTo(output);
        using var run = JobTestRun.Start(env);

        input.Emit(new Reading("a", 1, 1_000)).Emit(new Reading("b", 2, 2_000)).Emit(new Reading("a", 3, 5_000));
        run.Run();
        Assert.Empty(output.Values);

        input.Emit(new Reading("c", 0, 13_000)); // watermark 12 999: b (12 000) went silent, a (15 000) not yet
        run.Run();
        Assert.Equal(["b silent at 12000 after 2 (1 readings, EventTime)"], output.Take());

        // c's next reading moves its deadline to 40 000 before the watermark passes 23 000.
        input.Emit(new Reading("c", 0, 30_000));
        run.Run();
        Assert.Equal(["a silent at 15000 after 1+3 (2 readings, EventTime)"], output.Take());

        input.EndInput(); // the final watermark fires every remaining timer
        run.Run();
        Assert.Equal(["c silent at 40000 after 0+0 (2 readings, EventTime)"], output.Take());
    }

    private sealed class Heartbeat : KeyedProcessFunction<string, Reading, string>
    {
        private IValueState<long> _lastSeen = null!;

        public override void Open(KeyedFunctionContext context) => _lastSeen = context.GetValueState<long>("last");

        public override void ProcessElement(Reading value, KeyedContext<string> context, Collector<string> output)
        {
            _lastSeen.Value = context.CurrentProcessingTime;
            context.Timers.RegisterProcessingTimeTimer(context.CurrentProcessingTime + 5_000);
        }

        public override void OnTimer(long timestamp, KeyedTimerContext<string> context, Collector<string> output)
        {
            if (context.CurrentProcessingTime - _lastSeen.Value >= 5_000)
            {
                output.Collect($"{context.CurrentKey} dead at {timestamp - 1_000_000}");
            }
        }
    }

    [Fact]
    public void Processing_time_timers_follow_the_job_clock()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock });
        var input = new TestSource<Reading>();
        var output = new CollectSink<string>();
        env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "beats")
            .KeyBy(r => r.Sensor)
            .Process(new Heartbeat())
            .SinkTo(output);
        using var run = JobTestRun.Start(env);

        input.Emit(new Reading("a", 0, 0)).Emit(new Reading("b", 0, 0));
        run.Run();
        _clock.Advance(TimeSpan.FromSeconds(3));
        input.Emit(new Reading("a", 0, 0));
        run.Run();
        _clock.Advance(TimeSpan.FromSeconds(2)); // b's timer (5 s) is due, b is dead; a's first timer finds a alive
        run.Run();
        Assert.Equal(["b dead at 5000"], output.Take());
        _clock.Advance(TimeSpan.FromSeconds(3)); // a's second timer (8 s)
        run.Run();
        Assert.Equal(["a dead at 8000"], output.Take());
    }

    private sealed class Splitter(OutputTag<Reading> negative) : ProcessFunction<Reading, Reading>
    {
        public override void ProcessElement(Reading value, ProcessContext context, Collector<Reading> output)
        {
            if (value.Value < 0)
            {
                context.Output(negative, value);
            }
            else
            {
                output.Collect(value);
            }
        }
    }

    [Fact]
    public void Side_outputs_carry_what_a_function_sets_aside()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock });
        var negative = new OutputTag<Reading>("negative");
        var main = new CollectSink<double>();
        var side = new CollectSink<double>();
        var split = env.FromCollection([new Reading("a", 1, 0), new Reading("a", -2, 0), new Reading("a", 3, 0)]).Process(new Splitter(negative));
        split.Map(r => r.Value).SinkTo(main);
        split.GetSideOutput(negative).Map(r => r.Value).SinkTo(side);
        using var run = JobTestRun.Start(env);
        run.Run();
        Assert.True(run.IsFinished);
        Assert.Equal([1.0, 3.0], main.Values);
        Assert.Equal([-2.0], side.Values);
    }
}
