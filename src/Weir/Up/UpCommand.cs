using System.CommandLine;
using Microsoft.Extensions.Logging;
using Weir.Cli.Hosting;

namespace Weir.Cli.Up;

/// <summary>`weir up`: Weir's main job with embedded defaults, until Ctrl+C or SIGTERM.</summary>
internal static class UpCommand
{
    private static readonly Option<string[]> Only = new("--only")
    {
        Description = "Start only these components (comma separated or repeated), e.g. --only broker,lpbf.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string[]> Skip = new("--skip")
    {
        Description = "Start everything except these components.",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Command Create()
    {
        var command = new Command("up", "Start Weir's main job with embedded defaults: the broker, the services and the pipelines. Stops cleanly on Ctrl+C or SIGTERM.")
        {
            Only,
            Skip,
        };
        command.SetVerbAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(WeirContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var log = context.LoggerFactory.CreateLogger("weir.up");
        var only = Split(parse.GetValue(Only));
        var skip = Split(parse.GetValue(Skip));
        var all = UpComponents.Create(context);
        foreach (var name in only.Concat(skip))
        {
            if (!all.Any(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new CliException($"unknown component '{name}'; components are: {string.Join(", ", all.Select(c => c.Name))}");
            }
        }

        var selected = all
            .Where(c => (only.Count == 0 || only.Contains(c.Name, StringComparer.OrdinalIgnoreCase))
                && !skip.Contains(c.Name, StringComparer.OrdinalIgnoreCase))
            .ToList();

        Console.WriteLine($"weir up: data root {context.DataRoot}");
        var started = new List<UpComponent>();
        try
        {
            foreach (var component in selected)
            {
                var description = await component.StartAsync(cancellationToken).ConfigureAwait(false);
                started.Add(component);
                Console.WriteLine($"  {component.Name,-20} {description}");
            }

            Console.WriteLine(started.Count == 0
                ? "weir up: nothing to start"
                : "weir up: running; press Ctrl+C to stop");
            var running = started.ToDictionary(c => c.Completion, c => c);
            var interrupted = Task.Delay(Timeout.Infinite, cancellationToken);
            while (running.Count > 0)
            {
                var finished = await Task.WhenAny(running.Keys.Append(interrupted)).ConfigureAwait(false);
                if (finished == interrupted)
                {
                    break;
                }

                var component = running[finished];
                running.Remove(finished);
                if (finished.IsFaulted)
                {
                    log.LogError(finished.Exception?.GetBaseException(), "{Component} failed; stopping everything", component.Name);
                    return 1;
                }

                Console.WriteLine($"  {component.Name} finished");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: fall through to the orderly stop below.
        }
        finally
        {
            for (var i = started.Count - 1; i >= 0; i--)
            {
                try
                {
                    await started[i].StopAsync().ConfigureAwait(false);
                    Console.WriteLine($"  stopped {started[i].Name}");
                }
                catch (Exception error)
                {
                    log.LogError(error, "stopping {Component} failed", started[i].Name);
                }
            }
        }

        return 0;
    }

    private static List<string> Split(string[]? values) =>
        values is null ? [] : values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
