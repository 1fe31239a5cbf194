using System.CommandLine;
using Weir.Cli.Commands;
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

        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(TopicsCommand.Create());
        root.Subcommands.Add(ProduceCommand.Create());
        root.Subcommands.Add(ConsumeCommand.Create());
        root.Subcommands.Add(GroupsCommand.Create());
        root.Subcommands.Add(ChallengerCommand.Create());
        root.Subcommands.Add(JobsCommand.Create());

        // Verb groups shared by the pipelines: each pipeline adds its sub-verbs to the group's list
        // (e.g. `weir run fingerprint`, `weir generate rtls`). One line per sub-verb, grouped by pipeline.
        root.Subcommands.Add(VerbGroup("run", "Run a pipeline's job or service until it finishes or is stopped (Ctrl+C).",
        [
            FactoryCommands.RunProducer(),
            FactoryCommands.RunSink(),
            PlantSyncCommands.RunPlantSync(),
            PlantSyncCommands.RunPlantBatchSync(),
            LpbfCommands.Run(),
            FingerprintCommands.Run(),
            FingerprintCommands.RunSaver(),
            RtlsCommands.Run(),
            EngineCommands.RunWindowDemo(),
        ]));
        root.Subcommands.Add(VerbGroup("generate", "Generate sample data for a pipeline (live or as a fast backlog).",
        [
            FactoryCommands.Generate(),
            FingerprintCommands.Generate(),
            RtlsCommands.Generate(),
            LpbfCommands.Generate(),
            PlantSyncCommands.GeneratePlantImages(),
        ]));
        root.Subcommands.Add(VerbGroup("serve", "Serve one of Weir's HTTP APIs on its own.",
        [
            FactoryCommands.ServeApi(),
            PlantSyncCommands.ServePlantImages(),
        ]));
        root.Subcommands.Add(VerbGroup("report", "Build a report from a pipeline's stored output.",
        [
            FactoryCommands.Report(),
        ]));
        root.Subcommands.Add(VerbGroup("bench", "Run a macro benchmark and print its figures (see docs/benchmarks.md).",
        [
            BrokerBenchCommand.Create(),
            BrokerBenchCommand.Groups(),
            FactoryCommands.Bench(),
            LpbfCommands.Bench(),
            PlantSyncBenchCommand.Create(),
            EngineCommands.Bench(),
            FingerprintCommands.Bench(),
            RtlsCommands.Bench(),
        ]));
        return root;
    }

    private static Command VerbGroup(string name, string description, IEnumerable<Command> subVerbs)
    {
        var group = new Command(name, description);
        foreach (var verb in subVerbs)
        {
            group.Subcommands.Add(verb);
        }

        return group;
    }
}
