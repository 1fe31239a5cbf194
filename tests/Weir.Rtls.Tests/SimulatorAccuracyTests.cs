using System.Globalization;
using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Simulation;
using Xunit.Abstractions;

namespace Weir.Rtls.Tests;

/// <summary>
/// Positions against the simulator's ground truth with noisy ranges. The error statistics are printed (they are
/// quoted in docs/pipelines/rtls.md); the assertions are loose physical bounds, not performance figures.
/// </summary>
public sealed class SimulatorAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Original_floor_plan_errors_with_5_cm_noise()
    {
        var (closed, least) = SolveEveryStep(FloorPlan.Default, new RtlsSimulatorOptions { Tags = 6, NoiseStdDev = 0.05, Seed = 2 }, windowSize: 3, minutes: 20);

        Report("original plan, 3 anchors, σ = 0.05 m, closed form", closed);
        Report("original plan, 3 anchors, σ = 0.05 m, least squares", least);
        Assert.True(Percentile(closed, 0.5) < 0.15 && Percentile(least, 0.5) < 0.15, "median error within 3σ");
        Assert.True(Percentile(least, 0.95) < 0.5, "95th percentile within 10σ");
    }

    [Fact]
    public void Grid_floor_plan_with_more_anchors_per_window_is_more_accurate()
    {
        var plan = FloorPlan.Grid(16, spacing: 10);
        var options = new RtlsSimulatorOptions { Tags = 50, NoiseStdDev = 0.1, Speed = 1, Seed = 4 };
        var (_, three) = SolveEveryStep(plan, options, windowSize: 3, minutes: 5);
        var (_, five) = SolveEveryStep(plan, options, windowSize: 5, minutes: 5);

        Report("16-anchor grid, σ = 0.1 m, first 3 anchors heard, automatic solver", three);
        Report("16-anchor grid, σ = 0.1 m, 5 anchors, least squares", five);
        Assert.True(Mean(five) < Mean(three), "five ranges average out more noise than three");
        Assert.True(Percentile(five, 0.5) < 0.3);
    }

    [Fact]
    public void Windowed_positions_track_the_truth_with_drops_duplicates_and_reordering()
    {
        var options = new RtlsSimulatorOptions
        {
            Tags = 6, NoiseStdDev = 0.05, DropProbability = 0.05, DuplicateProbability = 0.05, ReorderMs = 800, Seed = 9,
        };
        var simulator = new RtlsSimulator(FloorPlan.Default, options, startMs: 1_700_000_000_000);
        var windowing = new TagWindowing(new TagWindowOptions());
        var windows = new Dictionary<string, TagWindow>();
        var truth = new Dictionary<(string, long), Point2>();
        var results = new WindowResults();
        var packets = new List<SimPacket>();
        var truthSamples = new List<TruthSample>();
        var readings = new List<TagReading>();
        var errors = new List<double>();
        long positions = 0, rejected = 0, duplicates = 0;
        for (var step = 0; step < 600; step++)
        {
            packets.Clear();
            truthSamples.Clear();
            simulator.Step(packets, truthSamples);
            foreach (var sample in truthSamples)
            {
                truth[(sample.TagId, sample.TimestampMs)] = sample.Position;
            }

            foreach (var packet in packets.Where(p => p.Topic == SimTopic.Data))
            {
                readings.Clear();
                RtlsPackets.AddReadings(RtlsPackets.ParseData(packet.Value), packet.DeliveryMs, readings);
                foreach (var reading in readings)
                {
                    if (!windows.TryGetValue(reading.TagId, out var window))
                    {
                        windows[reading.TagId] = window = windowing.NewWindow();
                    }

                    windowing.Add(window, reading, AnchorMap.Default, results);
                }
            }

            foreach (var position in results.Positions)
            {
                // The window's position is compared with where the tag was at its newest reading.
                errors.Add(truth[(position.TagId, position.TimestampMs)].DistanceTo(new Point2(position.X, position.Y)));
            }

            positions += results.Positions.Count;
            rejected += results.Rejected.Count;
            duplicates += results.Duplicates;
            results.Clear();
        }

        output.WriteLine($"{positions} positions, {rejected} readings rejected, {duplicates} duplicate reports; simulator dropped {simulator.Dropped}, duplicated {simulator.Duplicated}");
        Report("original plan, σ = 0.05 m, 5 % drops, 5 % duplicates, reordering ≤ 800 ms", errors);
        Assert.True(positions > 6 * 600 * 0.7, "most steps still produce a position");
        Assert.True(duplicates > 0, "duplicated packets replace the earlier report of their anchor");
        Assert.True(Percentile(errors, 0.95) < 0.6, "mixing readings up to one step apart costs at most one step of walking (0.5 m)");
    }

    private static (List<double> ClosedForm, List<double> LeastSquares) SolveEveryStep(FloorPlan plan, RtlsSimulatorOptions options, int windowSize, int minutes)
    {
        var simulator = new RtlsSimulator(plan, options, startMs: 1_700_000_000_000);
        var packets = new List<SimPacket>();
        var truthSamples = new List<TruthSample>();
        var readings = new List<TagReading>();
        var closed = new List<double>();
        var least = new List<double>();
        for (var step = 0; step < minutes * 60; step++)
        {
            packets.Clear();
            truthSamples.Clear();
            readings.Clear();
            simulator.Step(packets, truthSamples);
            foreach (var packet in packets.Where(p => p.Topic == SimTopic.Data))
            {
                RtlsPackets.AddReadings(RtlsPackets.ParseData(packet.Value), packet.DeliveryMs, readings);
            }

            foreach (var sample in truthSamples)
            {
                var ranges = readings.Where(r => r.TagId == sample.TagId).Take(windowSize)
                    .Select(r => new AnchorRange(plan.Anchors.TryGet(r.AnchorId, out var a) ? a : throw new InvalidOperationException(), r.Distance))
                    .ToArray();
                if (ranges.Length < windowSize)
                {
                    continue;
                }

                var auto = Trilateration.Solve(ranges);
                if (auto.Solved)
                {
                    least.Add((windowSize == 3 ? Trilateration.LeastSquares(ranges).Position : auto.Position).DistanceTo(sample.Position));
                    if (windowSize == 3 && Trilateration.TryClosedForm(ranges[0], ranges[1], ranges[2], out var p))
                    {
                        closed.Add(p.DistanceTo(sample.Position));
                    }
                }
            }
        }

        return (closed, least);
    }

    private void Report(string what, List<double> errors)
    {
        Assert.NotEmpty(errors);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: n = {errors.Count}, mean {Mean(errors):F4} m, median {Percentile(errors, 0.5):F4} m, p95 {Percentile(errors, 0.95):F4} m, max {errors.Max():F4} m"));
    }

    private static double Mean(List<double> values) => values.Average();

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
