using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Weir.Pipelines.Lpbf.Bench;

/// <summary>
/// CPU time of the calling thread in nanoseconds (Linux CLOCK_THREAD_CPUTIME_ID). The machines benchmarks run on
/// are shared, so wall time measures the neighbours as much as the code; CPU time of the one working thread does
/// not. Falls back to the wall clock where the call is not available.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    public static bool IsCpuTime { get; } = OperatingSystem.IsLinux();

    public static long NowNs()
    {
        if (IsCpuTime && clock_gettime(ClockThreadCpuTime, out var time) == 0)
        {
            return time.Seconds * 1_000_000_000 + time.Nanoseconds;
        }

        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
