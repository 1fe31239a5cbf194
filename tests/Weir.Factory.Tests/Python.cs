using Weir.Testing;

namespace Weir.Factory.Tests;

/// <summary>Runs Debian's /usr/bin/python3 (the original pipeline's language) to get reference outputs.</summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    public static async Task<string> RunAsync(string script, string? standardInput = null)
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} not found: install Debian package python3 (scripts/test.sh installs what tests need)");
        }

        var result = await ProcessRun.RunAsync(Interpreter, ["-c", script], TimeSpan.FromSeconds(60), standardInput);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.StandardOutput;
    }
}
