using System.Collections.Concurrent;

namespace Weir.Streams;

/// <summary>
/// The jobs of this process: every job started with <see cref="StreamEnvironment.Start"/> or
/// <see cref="StreamEnvironment.ExecuteAsync"/> registers here, and stays listed (with its final status) for a
/// while after it ends. `weir jobs list|cancel` and /api/jobs read it through the Weir HTTP host.
/// </summary>
public static class JobRegistry
{
    private const int FinishedKept = 20;
    private static readonly ConcurrentDictionary<string, JobHandle> Jobs = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<string> Ended = new();
    private static long _sequence;

    /// <summary>Every registered job, running first, then by start time.</summary>
    public static IReadOnlyList<JobHandle> All =>
        [.. Jobs.Values.OrderBy(j => j.Completion.IsCompleted).ThenBy(j => j.StartedAt)];

    /// <summary>Finds a job by id, or by name when exactly one running job has it.</summary>
    public static JobHandle? Find(string idOrName)
    {
        if (Jobs.TryGetValue(idOrName, out var byId))
        {
            return byId;
        }

        var running = Jobs.Values.Where(j => j.Name == idOrName && !j.Completion.IsCompleted).ToList();
        return running.Count == 1 ? running[0] : Jobs.Values.Where(j => j.Name == idOrName).OrderByDescending(j => j.StartedAt).FirstOrDefault();
    }

    internal static string Register(JobHandle job)
    {
        var id = $"{job.Name}-{Interlocked.Increment(ref _sequence)}";
        Jobs[id] = job;
        _ = job.Completion.ContinueWith(
            _ =>
            {
                Ended.Enqueue(id);
                while (Ended.Count > FinishedKept && Ended.TryDequeue(out var oldest))
                {
                    Jobs.TryRemove(oldest, out var _);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return id;
    }
}
