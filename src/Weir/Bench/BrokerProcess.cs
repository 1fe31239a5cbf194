using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Weir.Cli.Bench;

/// <summary>
/// `weir broker` started as a child process of the benchmark, so the broker's CPU time is measured apart from
/// the clients' (and the two do not share a garbage collector).
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
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BrokerProcess).Assembly.Location);
        }

        foreach (var argument in (string[])["broker", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--fsync", fsync, "--log-level", "Warning"])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start weir broker");
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"kafka://(\S+)")]
    private static partial Regex Address();
}
