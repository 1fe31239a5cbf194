namespace Weir.Pipelines.Shared;

/// <summary>
/// Runs a call that blocks (a Kafka client's Consume, Flush or GetMetadata) on a thread of its own rather than on the
/// thread pool. Weir's broker and web services do their work on the pool, often in the same process, and on two
/// cores the pool starts with two threads: each one held by a blocking call is a thread they cannot use until the
/// pool adds another, about every half second. Starting a thread costs tens of microseconds, nothing next to calls
/// that wait for milliseconds to seconds.
/// </summary>
internal static class BlockingCalls
{
    public static Task<T> RunAsync<T>(Func<T> call, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(call, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static Task RunAsync(Action call, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(call, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
