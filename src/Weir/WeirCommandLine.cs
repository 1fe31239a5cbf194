using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Cli.Up;

namespace Weir.Cli;

/// <summary>The root of the `weir` command: global options and every verb.</summary>
internal static class WeirCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Weir: a real-time stream-processing platform in one .NET process. " +
            "An embedded Kafka-compatible broker, a Flink-style dataflow engine, connectors and five ready pipelines.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        // One line per verb group; each group lives in its own file under Commands/ or Up/.
        root.Subcommands.Add(UpCommand.Create());
        return root;
    }
}
