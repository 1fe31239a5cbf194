using Weir.Testing;

namespace Weir.Cli.Tests;

/// <summary>
/// The `weir` script at the repository root, which the README tells users to run (`./weir up`). The other CLI
/// tests start the built weir.dll directly, so only this one sees what the script passes along.
/// </summary>
public sealed class ScriptTests
{
    [Fact]
    public async Task The_weir_script_runs_a_verb_with_exactly_the_arguments_it_was_given()
    {
        // A verb that does real work and exits: `--help` and `--version` succeed even with a stray argument,
        // which is how a `--nologo` handed on by `dotnet run` once broke every real command of the script.
        using var output = new TempDirectory("script");
        var result = await ProcessRun.RunAsync(
            "bash",
            [Path.Combine(RepositoryRoot(), "weir"), "generate", "lpbf", "--out", output.Path, "--layers", "1"],
            TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(16, Directory.GetFiles(output.Path, "L*-T*.tif").Length);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "weir")) && File.Exists(Path.Combine(folder.FullName, "Weir.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no repository root (with ./weir and Weir.slnx) above {AppContext.BaseDirectory}");
    }
}
