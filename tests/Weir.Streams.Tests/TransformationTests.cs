using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Sinks;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;
using Weir.Testing;

namespace Weir.Streams.Tests;

/// <summary>FlatMap, Rebalance, per-operator parallelism, sliding processing-time windows, the file and console sinks.</summary>
public sealed class TransformationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Tags each value with the subtask that saw it.</summary>
    private sealed class TagSubtask : ProcessFunction<string, (int Subtask, string Word)>
    {
        private int _subtask = -1;

        public override void Open(FunctionContext context) => _subtask = context.SubtaskIndex;

        public override void ProcessElement(string value, ProcessContext context, Collector<(int Subtask, string Word)> output) =>
            output.Collect((_subtask, value));
    }

    [Fact]
    public async Task FlatMap_emits_any_number_per_record_and_rebalance_spreads_them_round_robin()
    {
        var lines = Enumerable.Range(0, 300).Select(i => string.Join(' ', Enumerable.Range(0, i % 4).Select(j => $"w{i}-{j}"))).ToList();
        var expected = lines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order().ToList();
        var env = StreamEnvironment.Create(new JobOptions { Name = "words", Parallelism = 1 });
        var output = new ConcurrentQueue<(int Subtask, string Word)>();
        env.FromCollection(lines)
            .FlatMap<string>((line, collector) =>
            {
                foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    collector.Collect(word);
                }
            })
            .Rebalance()
            .Process(new TagSubtask()).WithParallelism(3)
            .ForEach(output.Enqueue);
        await env.ExecuteAsync().WaitAsync(Deadline);

        Assert.Equal(expected, output.Select(o => o.Word).Order());
        // One sender, round-robin per record: the three subtasks get equal shares (450 words).
        Assert.Equal([150, 150, 150], output.GroupBy(o => o.Subtask).OrderBy(g => g.Key).Select(g => g.Count()));
    }

    [Fact]
    public void Sliding_processing_time_windows_fire_each_window_a_record_falls_in_by_the_job_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000));
        var env = StreamEnvironment.Create(new JobOptions { TimeProvider = clock });
        var input = new TestSource<Reading>();
        var output = new CollectSink<SensorWindow>();
        env.FromSource(input, WatermarkStrategy.NoWatermarks<Reading>(), "readings")
            .KeyBy(r => r.Sensor)
            .Window(SlidingProcessingTimeWindows.Of(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .SinkTo(output);
        using var run = JobTestRun.Start(env);
        input.Emit(new Reading("a", 1, 0)); // processed at clock 1 000: windows [-5 000, 5 000) and [0, 10 000)
        run.Run();
        clock.Advance(TimeSpan.FromMilliseconds(3_998)); // 4 998
        run.Run();
        Assert.Empty(output.Values);
        clock.Advance(TimeSpan.FromMilliseconds(1)); // 4 999: the first window's last millisecond
        run.Run();
        Assert.Equal([new SensorWindow("a", -5_000, 5_000, 1, 1)], output.Take());
        clock.Advance(TimeSpan.FromMilliseconds(1_000)); // 5 999: in [0, 10 000) and [5 000, 15 000)
        input.Emit(new Reading("a", 2, 0));
        run.Run();
        Assert.Empty(output.Values);
        clock.Advance(TimeSpan.FromMilliseconds(4_000)); // 9 999
        run.Run();
        Assert.Equal([new SensorWindow("a", 0, 10_000, 2, 3)], output.Take());
        clock.Advance(TimeSpan.FromMilliseconds(5_000)); // 14 999
        run.Run();
        Assert.Equal([new SensorWindow("a", 5_000, 15_000, 1, 2)], output.Take());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_file_sink_writes_one_line_per_record_into_a_file_per_subtask(int parallelism)
    {
        using var folder = new TempDirectory("file-sink");
        var path = folder.Combine("out", "values.txt");
        var env = StreamEnvironment.Create(new JobOptions { Name = "files", Parallelism = parallelism });
        env.FromGenerator(i => i, 5_000).SinkTo(new FileSink<long>(path, v => $"v{v}"));
        await env.ExecuteAsync().WaitAsync(Deadline);

        var files = Directory.GetFiles(folder.Combine("out")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(parallelism == 1 ? ["values.txt"] : ["values-0.txt", "values-1.txt"], files);
        var lines = files.SelectMany(f => File.ReadAllLines(folder.Combine("out", f!))).ToList();
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => $"v{i}").Order(), lines.Order());
    }

    [Fact]
    public async Task The_console_sink_prefixes_each_line_with_its_subtask_when_parallel()
    {
        using var text = new StringWriter();
        var env = StreamEnvironment.Create(new JobOptions { Name = "print", Parallelism = 2 });
        env.FromGenerator(i => i, 10).SinkTo(new ConsoleSink<long>(v => $"n={v}", text));
        await env.ExecuteAsync().WaitAsync(Deadline);

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(10, lines.Count);
        Assert.All(lines, l => Assert.Matches(@"^[12]> n=\d$", l));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"n={i}").Order(), lines.Select(l => l[3..]).Order());
    }
}
