using Weir.Testing;

namespace Weir.Fingerprint.Tests;

/// <summary>Debian's /usr/bin/python3 (3.11, with the statistics, uuid and json modules) as the independent reference.</summary>
internal static class Python
{
    public static async Task<string[]> RunLinesAsync(string script, string input)
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            throw new InvalidOperationException("/usr/bin/python3 not found: install Debian python3 (scripts/test.sh does)");
        }

        var result = await ProcessRun.RunAsync("/usr/bin/python3", ["-c", script], TimeSpan.FromSeconds(300), input);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
