using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Weir.Cli.Bench;

/// <summary>
/// `weir broker` started as a child process of the benchmark, so the broker's CPU time is measured apart from
/// the clients' (and the two do not share a garbage collector); also `weir consume --group` as a member that
/// can be killed.
/// </summary>
internal sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BrokerProcess(Process process, string bootstrap)
    {
        _process = process;
        Bootstrap = bootstrap;
    }

    public string Bootstrap { get; }

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<BrokerProcess> StartAsync(string dataDirectory, string fsync)
    {
        var process = StartWeir(["broker", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--fsync", fsync, "--log-level", "Warning"]);
        _ = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var match = Address().Match(line);
            if (match.Success)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new BrokerProcess(process, match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("weir broker exited before it printed its address");
    }

    /// <summary>`weir consume --group` as a separate member process.</summary>
    public static Member StartConsumer(string bootstrap, string topic, string group, int sessionTimeoutMs, int heartbeatIntervalMs)
    {
        var process = StartWeir(["consume", "--topic", topic, "--group", group, "--from", "beginning", "--bootstrap", bootstrap,
            "-X", $"session.timeout.ms={sessionTimeoutMs}", "-X", $"heartbeat.interval.ms={heartbeatIntervalMs}"]);
        return new Member(process);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private static Process StartWeir(string[] arguments)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BrokerProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start weir {arguments[0]}");
    }

    [GeneratedRegex(@"kafka://(\S+)")]
    private static partial Regex Address();

    /// <summary>A consumer-group member process that either leaves (SIGTERM: close, LeaveGroup) or dies (SIGKILL).</summary>
    public sealed partial class Member : IAsyncDisposable
    {
        private readonly Process _process;
        private volatile bool _printed;

        public Member(Process process)
        {
            _process = process;
            _ = process.StandardError.ReadToEndAsync();
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is not null)
                {
                    _printed = true;
                }
            });
        }

        public bool HasPrinted => _printed;

        public async Task StopAsync(bool kill)
        {
            if (kill)
            {
                _process.Kill();
            }
            else
            {
                _ = Signal(_process.Id, 15);
            }

            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _process.Dispose();
        }

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
        private static partial int Signal(int pid, int signal);
    }
}
