using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;

namespace Weir.Streams.Tests;

/// <summary>Count windows per key: tumbling, sliding (full only or partial), end of input.</summary>
public sealed class CountWindowTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

    private (TestSource<Reading> Input, CollectSink<string> Output, JobTestRun Run) Job(
        Func<KeyedStream<Reading, string>, WindowedStream<Reading, string, CountWindow>> window, int parallelism = 1)
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock, Parallelism = parallelism });
        var input = new TestSource<Reading>();
        var output = new CollectSink<string>();
        window(env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "readings").KeyBy(r => r.Sensor))
            .Apply((sensor, w, records) => $"{sensor}#{w.Sequence}:{string.Join(",", records.Select(r => r.Value))}")
            .SinkTo(output);
        return (input, output, JobTestRun.Start(env));
    }

    private static void Feed(TestSource<Reading> input, string sensor, params double[] values)
    {
        foreach (var value in values)
        {
            input.Emit(new Reading(sensor, value, 0), (long)value);
        }
    }

    [Fact]
    public void Tumbling_count_windows_fire_every_n_records_of_a_key()
    {
        var (input, output, run) = Job(k => k.CountWindow(3));
        using (run)
        {
            Feed(input, "a", 1, 2);
            Feed(input, "b", 10);
            Feed(input, "a", 3, 4, 5, 6, 7);
            input.EndInput();
            run.Run();
            Assert.Equal(["a#0:1,2,3", "a#1:4,5,6"], output.Values);
        }
    }

    [Fact]
    public void Sliding_count_windows_fire_only_when_full_by_default()
    {
        var (input, output, run) = Job(k => k.CountWindow(3, 1));
        using (run)
        {
            Feed(input, "a", 1, 2, 3, 4, 5);
            run.Run();
            Assert.Equal(["a#0:1,2,3", "a#1:2,3,4", "a#2:3,4,5"], output.Values);
        }
    }

    [Fact]
    public void Sliding_count_windows_can_emit_partial_windows_as_flinks_java_api_does()
    {
        var (input, output, run) = Job(k => k.CountWindow(3, 2, emitPartialWindows: true));
        using (run)
        {
            Feed(input, "a", 1, 2, 3, 4, 5, 6);
            run.Run();
            Assert.Equal(["a#0:1,2", "a#1:2,3,4", "a#2:4,5,6"], output.Values);
        }
    }

    [Fact]
    public void Flush_at_end_of_input_fires_the_partly_filled_windows()
    {
        var (input, output, run) = Job(k => k.CountWindow(3).FlushAtEndOfInput());
        using (run)
        {
            Feed(input, "a", 1, 2, 3, 4);
            Feed(input, "b", 9);
            input.EndInput();
            run.Run();
            Assert.Equal(["a#0:1,2,3", "a#1:4", "b#0:9"], output.Values);
        }
    }

    [Fact]
    public void Count_windows_carry_the_newest_records_timestamp_and_aggregate_on_fire()
    {
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = _clock });
        var input = new TestSource<Reading>();
        var output = new CollectSink<double>();
        env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "readings")
            .KeyBy(r => r.Sensor)
            .CountWindow(2)
            .Aggregate(new CountSum(), (_, _, acc) => acc.Sum)
            .SinkTo(output);
        using var run = JobTestRun.Start(env);
        input.Emit(new Reading("a", 1, 0), 100).Emit(new Reading("a", 2, 0), 50);
        run.Run();
        Assert.Equal([(3.0, 50L)], output.Records);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Results_do_not_depend_on_parallelism(int parallelism)
    {
        var (input, output, run) = Job(k => k.CountWindow(3, 1), parallelism);
        using (run)
        {
            for (var i = 0; i < 200; i++)
            {
                input.Emit(new Reading($"s{i % 7}", i, 0), i);
            }

            input.EndInput();
            run.Run();
            var expected = Enumerable.Range(0, 7).SelectMany(s =>
            {
                var values = Enumerable.Range(0, 200).Where(i => i % 7 == s).ToList();
                return Enumerable.Range(0, values.Count - 2).Select(w => $"s{s}#{w}:{values[w]},{values[w + 1]},{values[w + 2]}");
            });
            Assert.Equal(expected.Order(), output.Values.Order());
        }
    }
}
