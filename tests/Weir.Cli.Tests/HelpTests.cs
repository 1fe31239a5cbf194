using Weir.Testing;

namespace Weir.Cli.Tests;

public sealed class HelpTests
{
    [Fact]
    public async Task Root_help_lists_the_verbs()
    {
        var result = await WeirCli.RunAsync(["--help"], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("up", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_verb_and_sub_verb_answers_help()
    {
        var root = await WeirCli.RunAsync(["--help"], TimeSpan.FromSeconds(60));
        var pending = new Queue<string[]>(HelpText.Commands(root.StandardOutput).Select(v => new[] { v }));
        Assert.NotEmpty(pending);

        while (pending.TryDequeue(out var path))
        {
            var result = await WeirCli.RunAsync([.. path, "--help"], TimeSpan.FromSeconds(60));
            Assert.True(result.ExitCode == 0, $"weir {string.Join(' ', path)} --help: {result.Describe()}");
            Assert.Contains("Usage:", result.StandardOutput, StringComparison.Ordinal);
            foreach (var sub in HelpText.Commands(result.StandardOutput))
            {
                pending.Enqueue([.. path, sub]);
            }
        }
    }

    [Fact]
    public async Task Unknown_up_component_is_a_clear_error()
    {
        using var data = new TempDirectory("cli");
        var result = await WeirCli.RunAsync(["up", "--only", "no-such-thing", "--data-root", data.Path], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown component 'no-such-thing'", result.StandardError, StringComparison.Ordinal);
    }
}
