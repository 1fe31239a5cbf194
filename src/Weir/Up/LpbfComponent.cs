using Weir.Cli.Commands;
using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf.Job;
using Weir.Streams;

namespace Weir.Cli.Up;

/// <summary>
/// The LPBF job inside `weir up` (section "Lpbf"): reads raw-batch, writes results, saturated-pixels and
/// saturated-rank. Benchmarks are then run with `weir run lpbf --job external`.
/// </summary>
internal sealed class LpbfComponent(WeirContext context) : UpComponent
{
    private JobHandle? _job;
    private IDisposable? _deadLetters;

    public override string Name => "lpbf";

    public override Task Completion => _job?.Completion ?? base.Completion;

    public override async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var options = LpbfSettings.From(context).Job(context);
        await LpbfTopicAdmin.EnsureAsync(options.BootstrapServers, options.Topics, options.Parallelism, cancellationToken).ConfigureAwait(false);
        _job = LpbfJob.Build(options, context.LoggerFactory, out _deadLetters).Start();
        await _job.Running.WaitAsync(cancellationToken).ConfigureAwait(false);
        return $"job {LpbfJob.Name}: {options.Topics.RawBatch} -> {options.Topics.Results} on {options.BootstrapServers}, parallelism {options.Parallelism} (source {options.EffectiveSourceParallelism}); " +
            "run a benchmark with `weir run lpbf --job external`";
    }

    public override async Task StopAsync()
    {
        if (_job is not null)
        {
            _job.Cancel();
            await _job.DisposeAsync().ConfigureAwait(false);
        }

        _deadLetters?.Dispose();
    }
}
