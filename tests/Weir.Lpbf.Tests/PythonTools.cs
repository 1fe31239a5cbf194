using Weir.Testing;

namespace Weir.Lpbf.Tests;

/// <summary>Debian's /usr/bin/python3 with numpy, scipy, scikit-learn, Pillow, msgpack and requests (scripts/test-deps.sh).</summary>
internal static class PythonTools
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The reference implementation and the challenge client ship with Weir (the benchmarks use them).</summary>
    public static string ReferenceFolder => Path.Combine(AppContext.BaseDirectory, "lpbf");

    /// <summary>Fails with the package names when the interpreter or a module is missing.</summary>
    public static async Task RequireAsync()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} not found: run scripts/test.sh, which installs the Debian python3 packages the LPBF tests use");
        }

        var check = await ProcessRun.RunAsync(Python, ["-c", "import numpy, scipy, sklearn, PIL, msgpack, requests"], TimeSpan.FromSeconds(60));
        Assert.True(
            check.ExitCode == 0,
            "python3-numpy, python3-scipy, python3-sklearn, python3-pil, python3-msgpack and python3-requests are needed: " +
            $"run scripts/test.sh, which installs them. {check.Describe()}");
    }

    public static Task<ProcessResult> RunScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        return ProcessRun.RunAsync(
            Python,
            [Path.Combine(ReferenceFolder, script), .. arguments],
            timeout,
            workingDirectory: ReferenceFolder,
            environment: new Dictionary<string, string> { ["PYTHONPATH"] = ReferenceFolder });
    }
}
