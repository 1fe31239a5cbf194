namespace Weir.Testing;

/// <summary>
/// Runs the built `weir` program (weir.dll beside the test assembly: test projects that use this reference
/// src/Weir) as a separate process, the way a user runs it.
/// </summary>
public static class WeirCli
{
    public static string DllPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "weir.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"weir.dll not found beside the tests ({path}); reference src/Weir/Weir.csproj");
        }
    }

    public static IEnumerable<string> Arguments(IEnumerable<string> verbArguments) => [DllPath, .. verbArguments];

    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, string? standardInput = null, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null) =>
        ProcessRun.RunAsync("dotnet", Arguments(arguments), timeout, standardInput, workingDirectory, environment);

    public static System.Diagnostics.Process Start(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, bool redirectInput = false) =>
        ProcessRun.Start("dotnet", Arguments(arguments), workingDirectory, environment, redirectInput);

    /// <summary>Stops a running `weir` as Ctrl+C or a service manager would (SIGTERM) and returns its exit code; kills it and throws after <paramref name="timeout"/>.</summary>
    public static async Task<int> StopAsync(System.Diagnostics.Process process, TimeSpan timeout)
    {
        await ProcessRun.SignalAsync(process, "TERM");
        using var exit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"weir did not stop within {timeout} of SIGTERM");
        }

        return process.ExitCode;
    }
}
