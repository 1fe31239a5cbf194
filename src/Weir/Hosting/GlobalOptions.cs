using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Weir.Cli.Hosting;

/// <summary>Options every verb accepts (they are recursive, so they may follow the verb).</summary>
internal static class GlobalOptions
{
    public static readonly Option<FileInfo?> Config = new("--config")
    {
        Description = "Path of an appsettings.json to read instead of ./appsettings.json.",
        Recursive = true,
    };

    public static readonly Option<LogLevel?> LogLevel = new("--log-level")
    {
        Description = "Minimum log level (Trace, Debug, Information, Warning, Error). Default: Information.",
        Recursive = true,
    };

    public static readonly Option<DirectoryInfo?> DataDir = new("--data-root")
    {
        Description = "Root folder for everything Weir stores (broker log, checkpoints, databases, outputs). Default: ./data.",
        Recursive = true,
    };

    public static IEnumerable<Option> All => [Config, LogLevel, DataDir];
}
