using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Weir.Streams.Testing;
using Weir.Streams.Time;
using Weir.Streams.Windows;
using Weir.Testing;

namespace Weir.Streams.Tests;

/// <summary>Aligned checkpoints: state and source positions together, restore after a crash, rescaling, retention.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory _folder = new("checkpoints");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

    public void Dispose() => _folder.Dispose();

    private static List<(Reading, long)> Records(int count, int sensors) =>
        [.. Enumerable.Range(0, count).Select(i => (new Reading($"s{i % sensors}", i, i * 100L), i * 100L))];

    private StreamEnvironment Job(GatedSource<Reading> source, CollectSink<SensorWindow> output, int parallelism, bool checkpoints = true) =>
        Build(source, output, new JobOptions
        {
            Name = "restartable",
            Parallelism = parallelism,
            TimeProvider = _clock,
            CheckpointDirectory = checkpoints ? _folder.Path : null,
        });

    private static StreamEnvironment Build(GatedSource<Reading> source, CollectSink<SensorWindow> output, JobOptions options)
    {
        var env = StreamEnvironment.Create(options);
        env.FromSource(source, WatermarkStrategy.ForBoundedOutOfOrderness<Reading>(TimeSpan.FromSeconds(2)).WithTimestampAssigner(r => r.Time), "readings")
            .KeyBy(r => r.Sensor)
            .Window(TumblingEventTimeWindows.Of(TimeSpan.FromSeconds(10)))
            .Aggregate(new CountSum(), (sensor, window, acc) => new SensorWindow(sensor, window.Start, window.End, acc.Count, acc.Sum))
            .WithUid("windows")
            .SinkTo(output);
        return env;
    }

    private List<SensorWindow> Uninterrupted(List<(Reading, long)> records, int parallelism)
    {
        var source = new GatedSource<Reading>(records);
        source.AllowAll();
        var output = new CollectSink<SensorWindow>();
        using var run = JobTestRun.Start(Job(source, output, parallelism, checkpoints: false));
        run.Run();
        Assert.True(run.IsFinished);
        return [.. output.Values.OrderBy(w => (w.Sensor, w.Start))];
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    public void A_job_restored_from_a_checkpoint_ends_with_the_same_windows(int before, int after)
    {
        var records = Records(3_000, 7);
        var expected = Uninterrupted(records, 1);

        // First run: read 600 records per split, checkpoint, read 300 more, then "crash" (no clean end).
        var source = new GatedSource<Reading>(records);
        var first = new CollectSink<SensorWindow>();
        using (var run = JobTestRun.Start(Job(source, first, before)))
        {
            source.AllowPerSplit(600);
            run.Run();
            var id = run.TriggerCheckpoint();
            run.Run();
            Assert.Equal(id, run.LastCheckpointId);
            source.AllowPerSplit(900);
            run.Run();
            Assert.False(run.IsFinished);
        }

        // Second run, perhaps at another parallelism: resumes from the checkpoint and runs to the end.
        var second = new CollectSink<SensorWindow>();
        var resumed = new GatedSource<Reading>(records);
        resumed.AllowAll();
        using (var run = JobTestRun.Start(Job(resumed, second, after)))
        {
            run.Run();
            Assert.True(run.IsFinished);
        }

        // Windows emitted after the checkpoint come again (same contents); deduplicated, nothing is missing or wrong.
        var all = first.Values.Concat(second.Values).Distinct().OrderBy(w => (w.Sensor, w.Start)).ToList();
        Assert.Equal(expected, all);
        Assert.Equal(all.Count, all.Select(w => (w.Sensor, w.Start)).Distinct().Count());
    }

    [Fact]
    public void Only_the_newest_checkpoints_are_kept_and_unfinished_ones_are_ignored()
    {
        var records = Records(1_000, 3);
        var source = new GatedSource<Reading>(records);
        var output = new CollectSink<SensorWindow>();
        using (var run = JobTestRun.Start(Job(source, output, 2)))
        {
            for (var i = 1; i <= 5; i++)
            {
                source.AllowPerSplit(i * 50);
                run.Run();
                run.TriggerCheckpoint();
                run.Run();
            }

            Assert.Equal(5, run.LastCheckpointId);
        }

        Assert.Equal(["chk-3", "chk-4", "chk-5"], Directory.GetDirectories(_folder.Path).Select(Path.GetFileName).Order());

        // A crash in the middle of checkpoint 6: its folder has files but no metadata.
        Directory.CreateDirectory(_folder.Combine("chk-6"));
        File.WriteAllText(_folder.Combine("chk-6", "0-0.state"), "partial");
        var resumed = new GatedSource<Reading>(records);
        resumed.AllowAll();
        var second = new CollectSink<SensorWindow>();
        using (var run = JobTestRun.Start(Job(resumed, second, 2)))
        {
            run.Run();
            Assert.True(run.IsFinished);
        }

        Assert.False(Directory.Exists(_folder.Combine("chk-6")));
        Assert.Equal(Uninterrupted(records, 2), output.Values.Concat(second.Values).Distinct().OrderBy(w => (w.Sensor, w.Start)));
    }

    [Fact]
    public async Task A_running_job_goes_on_processing_while_a_checkpoint_is_written()
    {
        var records = Records(3000, 3);
        var source = new GatedSource<Reading>(records, splits: 1);
        source.AllowPerSplit(200);
        var output = new CollectSink<SensorWindow>();
        await using var job = Build(source, output, new JobOptions { Name = "async-snapshots", Parallelism = 1, CheckpointDirectory = _folder.Path }).Start();
        using var gate = WriteGate.On(job);

        // Event time reaches 19.9 s: the windows ending at 10 s have fired.
        await Until(() => output.Values.Count >= 3, "the first windows");
        var id = job.TriggerCheckpoint();
        Assert.NotNull(id);
        Assert.True(gate.Writing.Wait(TimeSpan.FromSeconds(30)), "the checkpoint's file was never written");

        // The file is still being written (the hook holds it); the job reads on to 199.9 s and fires the windows
        // up to 190 s. Before, the subtask wrote its own file and could not take another record until it was done.
        // (Not to the end: a checkpoint that a finished subtask could not join would be given up.)
        var before = output.Values.Count;
        source.AllowPerSplit(2000);
        await Until(() => output.Values.Count >= 19 * 3, "windows after the checkpoint began");
        Assert.True(output.Values.Count > before);
        Assert.Equal(0, job.LastCheckpointId);

        gate.Release.Set();
        await Until(() => job.LastCheckpointId == id, "the checkpoint to complete");
        source.AllowAll();
        await job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Uninterrupted(records, 1), [.. output.Values.OrderBy(w => (w.Sensor, w.Start))]);
    }

    [Fact]
    public async Task A_checkpoint_file_that_cannot_be_written_fails_the_job()
    {
        var source = new GatedSource<Reading>(Records(1000, 3), splits: 1);
        source.AllowPerSplit(100);
        var output = new CollectSink<SensorWindow>();
        await using var job = Build(source, output, new JobOptions { Name = "unwritable", Parallelism = 1, CheckpointDirectory = _folder.Path }).Start();
        await job.Running.WaitAsync(TimeSpan.FromSeconds(30));

        // A file where the checkpoint's folder would go: the writing thread cannot create the folder.
        File.WriteAllText(Path.Combine(_folder.Path, "chk-1"), "in the way");
        Assert.Equal(1, job.TriggerCheckpoint());

        var failure = await Assert.ThrowsAsync<JobFailedException>(() => job.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("checkpoint writer", failure.Message);
        Assert.Equal(0, job.LastCheckpointId);
    }

    [Fact]
    public async Task A_checkpoint_given_up_while_its_file_is_written_does_not_fail_the_job()
    {
        var records = Records(1000, 3);
        var source = new GatedSource<Reading>(records, splits: 1);
        source.AllowPerSplit(100);
        var output = new CollectSink<SensorWindow>();
        await using var job = Build(source, output, new JobOptions { Name = "given-up", Parallelism = 1, CheckpointDirectory = _folder.Path }).Start();
        using var gate = WriteGate.On(job);
        await job.Running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, job.TriggerCheckpoint());
        Assert.True(gate.Writing.Wait(TimeSpan.FromSeconds(30)), "the checkpoint's file was never written");

        // While the file is being written, the source reaches its end, which gives the checkpoint up and deletes its
        // folder. Something in the way of both (a file where the folder goes) makes that delete fail, and the write
        // after it, as a delete racing the writer's new file did in CI ("Directory not empty").
        File.WriteAllText(Path.Combine(_folder.Path, "chk-1"), "in the way");
        source.AllowAll();
        await Until(() => job.Runtime.Checkpoints!.AbortedCount == 1, "the checkpoint to be given up");
        gate.Release.Set();

        await job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, job.LastCheckpointId);
        Assert.Equal(Uninterrupted(records, 1), [.. output.Values.OrderBy(w => (w.Sensor, w.Start))]);
    }

    [Fact]
    public void A_snapshot_buffer_gives_back_every_byte_in_order_across_its_chunks()
    {
        var random = new Random(7);
        foreach (var sizes in new[] { new[] { 0 }, [1], [16 * 1024], [16 * 1024 + 1], [3, 16 * 1024 - 3, 1 << 20, 5], [(1 << 20) + (16 * 1024) + 1], [100, 2_500_000] })
        {
            var expected = new MemoryStream();
            using var buffer = new Weir.Streams.Checkpoints.SnapshotBuffer();
            foreach (var size in sizes)
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                buffer.Write(bytes);
                expected.Write(bytes);
                buffer.WriteByte((byte)size);
                expected.WriteByte((byte)size);
            }

            Assert.Equal(expected.Length, buffer.Length);
            var written = new MemoryStream();
            buffer.WriteTo(written);
            Assert.Equal(expected.ToArray(), written.ToArray());
        }
    }

    /// <summary>Holds the job's checkpoint writes: <see cref="Writing"/> is set when one begins, which waits for <see cref="Release"/>.</summary>
    private sealed class WriteGate : IDisposable
    {
        public ManualResetEventSlim Writing { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public static WriteGate On(JobHandle job)
        {
            var gate = new WriteGate();
            job.Runtime.Checkpoints!.BeforeWrite = _ =>
            {
                gate.Writing.Set();
                gate.Release.Wait(TimeSpan.FromSeconds(60));
            };
            return gate;
        }

        // Only lets held writes go: the writing thread may still be inside Wait, and a later checkpoint may still
        // call the hook, so the events are left to the collector rather than disposed under them.
        public void Dispose() => Release.Set();
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 30 s for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Periodic_checkpoints_in_a_running_job_survive_cancellation_at_any_point()
    {
        var records = Records(20_000, 11);
        var expected = Uninterrupted(records, 1);
        var seen = new ConcurrentDictionary<SensorWindow, bool>();
        var options = new JobOptions
        {
            Name = "periodic",
            Parallelism = 2,
            CheckpointDirectory = _folder.Path,
            CheckpointInterval = TimeSpan.FromMilliseconds(20),
            BatchSize = 64,
        };

        for (var attempt = 0; attempt < 4; attempt++)
        {
            var source = new GatedSource<Reading>(records);
            source.AllowAll();
            var output = new CollectSink<SensorWindow>();
            var env = Build(source, output, options);
            var job = env.Start();
            var checkpoints = 0;
            job.CheckpointCompleted += _ => Interlocked.Increment(ref checkpoints);
            if (attempt < 3)
            {
                // Stop after a checkpoint or two, wherever the job happens to be.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (Volatile.Read(ref checkpoints) < attempt + 1 && !job.Completion.IsCompleted && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(5);
                }

                await job.DisposeAsync();
            }
            else
            {
                await job.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            }

            foreach (var window in output.Values)
            {
                seen[window] = true;
            }
        }

        var all = seen.Keys.OrderBy(w => (w.Sensor, w.Start)).ToList();
        Assert.Equal(expected, all);
    }
}
