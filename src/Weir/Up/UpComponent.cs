namespace Weir.Cli.Up;

/// <summary>
/// One thing `weir up` runs: a server, a generator, a job. Started in registry order, stopped in reverse.
/// </summary>
internal abstract class UpComponent
{
    /// <summary>Short name used by <c>weir up --only/--skip</c>, e.g. "broker".</summary>
    public abstract string Name { get; }

    /// <summary>Starts serving and returns a one-line description of what runs where (addresses, folders).</summary>
    public abstract Task<string> StartAsync(CancellationToken cancellationToken);

    /// <summary>Completes when the component stops by itself; a fault here stops the whole of <c>weir up</c>.</summary>
    public virtual Task Completion => Never;

    private static Task Never { get; } = new TaskCompletionSource().Task;

    public abstract Task StopAsync();
}
