using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Weir.Cli.Hosting;

/// <summary>
/// The one boundary where a verb's errors are handled: user errors print one line (exit 2), cancellation
/// (Ctrl+C, SIGTERM) is a clean stop (exit 0), anything else is logged with its stack (exit 1).
/// </summary>
internal static class VerbRunner
{
    public static void SetVerbAction(this Command command, Func<WeirContext, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            WeirContext context;
            try
            {
                context = WeirContext.Create(parse);
            }
            catch (CliException error)
            {
                await Console.Error.WriteLineAsync($"weir: {error.Message}").ConfigureAwait(false);
                return 2;
            }

            using (context)
            {
                try
                {
                    return await action(context, parse, cancellationToken).ConfigureAwait(false);
                }
                catch (CliException error)
                {
                    await Console.Error.WriteLineAsync($"weir: {error.Message}").ConfigureAwait(false);
                    return 2;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return 0;
                }
                catch (Exception error)
                {
                    context.LoggerFactory.CreateLogger("weir").LogCritical(error, "{Verb} failed", command.Name);
                    return 1;
                }
            }
        });
}
