namespace Weir.Cli.Hosting;

/// <summary>A user-facing error: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
