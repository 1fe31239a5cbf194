using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Weir.Interop.Tests;

/// <summary>Helpers for `weir broker` running as a separate process (crash and CLI tests).</summary>
internal static partial class BrokerProcess
{
    /// <summary>Reads the process's output until it prints its kafka:// address; returns host:port.</summary>
    public static async Task<string> WaitForAddressAsync(Process process, TimeSpan timeout) =>
        (await WaitForStartAsync(process, timeout).ConfigureAwait(false)).Bootstrap;

    /// <summary>The advertised address and the port the broker really listens on (they differ behind a proxy).</summary>
    public static async Task<(string Bootstrap, int ListeningPort)> WaitForStartAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false) is { } line)
        {
            seen.Add(line);
            var match = Address().Match(line);
            if (match.Success)
            {
                // Keep draining output so the process never blocks on a full pipe.
                _ = DrainAsync(process.StandardOutput);
                _ = DrainAsync(process.StandardError);
                var listening = Listening().Match(line);
                return (match.Groups[1].Value, listening.Success ? int.Parse(listening.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
            }
        }

        throw new InvalidOperationException($"weir broker exited without printing its address:\n{string.Join('\n', seen)}\n{await process.StandardError.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false)}");
    }

    /// <summary>SIGTERM: an orderly stop.</summary>
    public static void Terminate(Process process) => _ = Kill(process.Id, 15);

    /// <summary>SIGKILL: the process dies at once, nothing flushed by the broker itself.</summary>
    public static void KillHard(Process process) => _ = Kill(process.Id, 9);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"kafka://(\S+)")]
    private static partial Regex Address();

    [GeneratedRegex(@"listening on \S+:(\d+)\)")]
    private static partial Regex Listening();

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
