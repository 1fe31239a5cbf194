using System.CommandLine;

namespace Weir.Cli.Commands;

/// <summary>`weir serve ...`: run one HTTP service of a pipeline on its own (each is also part of `weir up`).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run one of Weir's HTTP services on its own until Ctrl+C (each is also started by `weir up`).");
        command.Subcommands.Add(FactoryCommands.ServeApi());
        return command;
    }
}
