using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Streams.Tests;

/// <summary>The threaded runtime: parallel subtasks, exchanges, backpressure, failure, cancellation, dead letters.</summary>
public sealed class RuntimeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static List<SensorWindow> Expected(long events, int sensors)
    {
        var result = new List<SensorWindow>();
        var groups = new Dictionary<(string, long), (int Count, double Sum)>();
        for (long i = 0; i < events; i++)
        {
            var key = ($"s{i % sensors}", i * 10 / 60_000 * 60_000);
            var (count, sum) = groups.GetValueOrDefault(key);
            groups[key] = (count + 1, sum + i);
        }

        foreach (var ((sensor, start), (count, sum)) in groups)
        {
            result.Add(new SensorWindow(sensor, start, start + 60_000, count, sum));
        }

        return result;
    }

    private static StreamEnvironment WindowJob(int parallelism, long events, int sensors, ConcurrentQueue<SensorWindow> output, JobOptions? options = null)
    {
        var env = StreamEnvironment.Create((options ?? new JobOptions()) with { Name = "runtime", Parallelism = parallelism });
        env.FromGenerator(i => new Reading($"s{i % sensors}", i, i * 10), events, WatermarkStrategy.ForBoundedOutOfOrderness<Reading>(TimeSpan.FromSeconds(1)).WithTimestampAssigner(r => r.Time))
            .Filter(r => r.Value >= 0)
            .KeyBy(r => r.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromMinutes(1)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .ForEach(output.Enqueue);
        return env;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Parallel_subtasks_give_the_same_windows_as_one(int parallelism)
    {
        var output = new ConcurrentQueue<SensorWindow>();
        await WindowJob(parallelism, 200_000, 13, output).ExecuteAsync().WaitAsync(Deadline);
        var expected = Expected(200_000, 13);
        Assert.Equal(expected.Count, output.Count);
        Assert.Equal(expected.OrderBy(w => (w.Sensor, w.Start)), output.OrderBy(w => (w.Sensor, w.Start)));
    }

    [Fact]
    public async Task Tiny_channels_apply_backpressure_without_losing_records()
    {
        var output = new ConcurrentQueue<SensorWindow>();
        var options = new JobOptions { BatchSize = 7, ChannelCapacity = 1 };
        await WindowJob(3, 50_000, 5, output, options).ExecuteAsync().WaitAsync(Deadline);
        Assert.Equal(Expected(50_000, 5).OrderBy(w => (w.Sensor, w.Start)), output.OrderBy(w => (w.Sensor, w.Start)));
    }

    [Fact]
    public async Task A_failing_subtask_fails_the_job_with_the_reason()
    {
        var env = StreamEnvironment.Create(new JobOptions { Name = "broken", Parallelism = 2 });
        env.FromGenerator(i => i, null)
            .KeyBy(i => i % 3)
            .SinkTo(new ThrowingSink());
        var error = await Assert.ThrowsAsync<JobFailedException>(() => env.ExecuteAsync().WaitAsync(Deadline));
        Assert.Contains("disk on fire", error.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingSink : Sinks.ISink<long>
    {
        public Sinks.ISinkWriter<long> CreateWriter(Sinks.SinkContext context) => new Writer();

        private sealed class Writer : Sinks.ISinkWriter<long>
        {
            public void Write(long value, long timestamp)
            {
                if (value > 1000)
                {
                    throw new IOException("disk on fire");
                }
            }

            public void Flush()
            {
            }

            public void Dispose()
            {
            }
        }
    }

    [Fact]
    public async Task Cancelling_an_unbounded_job_stops_every_subtask()
    {
        var env = StreamEnvironment.Create(new JobOptions { Name = "endless", Parallelism = 2, ChannelCapacity = 1 });
        var seen = 0L;
        env.FromGenerator(i => i, null).KeyBy(i => i % 5).ForEach(_ => Interlocked.Increment(ref seen));
        using var cancel = new CancellationTokenSource();
        var run = env.ExecuteAsync(cancel.Token);
        while (Interlocked.Read(ref seen) < 10_000)
        {
            await Task.Yield();
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Records_that_fail_in_user_functions_go_to_the_dead_letters_and_the_job_goes_on()
    {
        var letters = new DeadLetterCollector();
        var env = StreamEnvironment.Create(new JobOptions { Name = "dlq", Parallelism = 2, DeadLetters = letters });
        var output = new ConcurrentQueue<int>();
        env.FromCollection(Enumerable.Range(0, 100))
            .Map(i => i % 10 == 3 ? throw new FormatException($"bad {i}") : i)
            .KeyBy(i => i % 4)
            .Map(i => 100 / (i % 7 == 0 ? 0 : 1))
            .ForEach(output.Enqueue);
        await env.ExecuteAsync().WaitAsync(Deadline);
        var failedMap = letters.Letters.Where(l => l.Stage == "Map" && l.Error.StartsWith("FormatException", StringComparison.Ordinal)).ToList();
        var failedDivide = letters.Letters.Where(l => l.Error.StartsWith("DivideByZeroException", StringComparison.Ordinal)).ToList();
        Assert.Equal(10, failedMap.Count);
        Assert.Equal(Enumerable.Range(0, 100).Count(i => i % 10 != 3 && i % 7 == 0), failedDivide.Count);
        Assert.All(letters.Letters, l => Assert.Equal("dlq", l.Job));
        Assert.Equal(100 - failedMap.Count - failedDivide.Count, output.Count);
    }

    [Fact]
    public async Task A_record_that_carries_its_origin_is_dead_lettered_with_it_after_an_exchange()
    {
        var letters = new DeadLetterCollector();
        var env = StreamEnvironment.Create(new JobOptions { Name = "dlq", Parallelism = 2, DeadLetters = letters });
        var output = new ConcurrentQueue<int>();
        env.FromCollection(Enumerable.Range(0, 20).Select(i => new Carrying(i, new RecordOrigin("in", i % 3, 100 + i, 5, [(byte)i], [9, (byte)i]))))
            .KeyBy(c => c.Number % 4) // an exchange: the runtime's own origin is gone behind it
            .Map(c => c.Number == 7 ? throw new InvalidDataException("seven") : c.Number)
            .ForEach(output.Enqueue);
        await env.ExecuteAsync().WaitAsync(Deadline);

        var letter = Assert.Single(letters.Letters);
        Assert.Equal(new RecordOrigin("in", 1, 107, 5, null, null), letter.Origin with { Key = null, Value = null });
        Assert.Equal(new byte[] { 9, 7 }, letter.Origin.Value);
        Assert.Equal(new byte[] { 7 }, letter.Origin.Key);
        Assert.Equal(19, output.Count);
    }

    private sealed record Carrying(int Number, RecordOrigin Origin) : IHasRecordOrigin;

    private sealed class DeadLetterCollector : IDeadLetterSink
    {
        private readonly ConcurrentQueue<DeadLetter> _letters = new();

        public IReadOnlyCollection<DeadLetter> Letters => _letters;

        public void Write(DeadLetter letter) => _letters.Enqueue(letter);

        public void Flush()
        {
        }
    }

    [Fact]
    public void A_record_without_a_timestamp_in_an_event_time_window_is_a_dead_letter()
    {
        var letters = new DeadLetterCollector();
        var env = StreamEnvironment.Create(new JobOptions { DeadLetters = letters, TimeProvider = new FakeTimeProvider() });
        var output = new CollectSink<int>();
        env.FromCollection([1, 2])
            .KeyBy(i => i)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(1)))
            .Aggregate(AggregateFunction.Create<int, int, int>(() => 0, (a, _) => a + 1, a => a))
            .SinkTo(output);
        using var run = JobTestRun.Start(env);
        run.Run();
        Assert.Empty(output.Values);
        Assert.Equal(2, letters.Letters.Count);
        Assert.Contains("no event timestamp", letters.Letters.First().Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Processing_time_windows_follow_the_job_clock_and_can_flush_at_the_end()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(0));
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = clock });
        var input = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "readings")
            .KeyBy(r => r.Sensor)
            .Window(TumblingProcessingTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .FlushAtEndOfInput()
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .SinkTo(output);
        using var run = JobTestRun.Start(env);
        input.Emit(new Reading("a", 1, 0)).Emit(new Reading("a", 2, 0));
        run.Run();
        clock.Advance(TimeSpan.FromMilliseconds(9_998));
        run.Run();
        Assert.Empty(output.Values);
        clock.Advance(TimeSpan.FromMilliseconds(1)); // the clock reaches the window's last millisecond
        run.Run();
        Assert.Equal([new SensorWindow("a", 0, 10_000, 2, 3)], output.Take());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        input.Emit(new Reading("a", 4, 0));
        run.Run();
        Assert.Empty(output.Values);
        input.EndInput();
        run.Run();
        Assert.Equal([new SensorWindow("a", 10_000, 20_000, 1, 4)], output.Take());
    }

    [Fact]
    public void Chaining_puts_forward_operators_of_equal_parallelism_in_one_subtask_and_no_others()
    {
        var env = StreamEnvironment.Create(new JobOptions { Parallelism = 2, TimeProvider = new FakeTimeProvider() });
        env.FromGenerator(i => i, 10).Map(i => i + 1).Filter(i => i > 0).KeyBy(i => i % 2).Map(i => i * 2).WithParallelism(3).ForEach(_ => { });
        using var runtime = env.Build(stepped: true);
        Assert.Equal(["Generator -> Map -> Filter", "Map", "ForEach"], runtime.Plan.Chains.Select(c => c.Name));
        Assert.Equal([2, 3, 2], runtime.Plan.Chains.Select(c => c.Parallelism));
    }
}
