using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Services.Challenger;

namespace Weir.Cli.Commands;

/// <summary>`weir challenger`: the DEBS 2025 Local Challenger emulator on its own, until Ctrl+C.</summary>
internal static class ChallengerCommand
{
    private static readonly Option<string> Listen = new("--listen") { Description = "host:port to listen on (0 = any free port). Default: 127.0.0.1:8866." };
    private static readonly Option<string> DataDir = new("--data-dir") { Description = "Folder for benchmark runs and the generated data set. Default: <data root>/challenger." };
    private static readonly Option<string> Tiles = new("--tiles") { Description = "Serve your own tiles: a folder of TIFF files named L<layer>-T<tile>.tif (e.g. L0000-T00.tif). Default: a generated print." };
    private static readonly Option<string> PrintId = new("--print-id") { Description = "Print id in the batches. Default: SI266220200309225433 (the challenge's)." };
    private static readonly Option<int> Layers = new("--layers") { Description = "Layers of the generated print, 16 tiles each. Default: 225 (3600 batches)." };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the generated print. Default: 2025." };
    private static readonly Option<bool> GenerateAtStart = new("--generate-at-start") { Description = "Write the whole generated print to the data folder in the background at start (once; about 1.4 GB for 225 layers), so benchmarks do not wait for the generator. Default: true; false generates each tile when first served." };
    private static readonly Option<bool> OnlineRules = new("--online-rules") { Description = "Apply the online platform's stricter rules (create body of exactly apitoken/name/test, one active run per token, ObjectId ids, empty /end)." };
    private static readonly Option<string[]> Tokens = new("--token") { Description = "With --online-rules: an accepted API token (repeat for more). Default: any token.", AllowMultipleArgumentsPerToken = true };

    public static Command Create()
    {
        var command = new Command(
            "challenger",
            "Run the DEBS Grand Challenge 2025 Local Challenger emulator: the evaluation server's REST API under /api " +
            "(create, start, next_batch, result, end, history, get_result, plot) and a dashboard at /dash. Runs survive a restart.")
        {
            Listen, DataDir, Tiles, PrintId, Layers, Seed, GenerateAtStart, OnlineRules, Tokens,
        };
        command.SetVerbAction(RunAsync);
        return command;
    }

    /// <summary>Configuration section "Challenger" overridden by the flags the user typed.</summary>
    public static ChallengerOptions Options(WeirContext context, ParseResult? parse)
    {
        var options = context.Bind<ChallengerOptions>("Challenger");
        if (parse is null)
        {
            return options;
        }

        options.Listen = parse.Or(Listen, options.Listen);
        options.DataDir = parse.Or(DataDir, options.DataDir!);
        options.Tiles = parse.Or(Tiles, options.Tiles!);
        options.PrintId = parse.Or(PrintId, options.PrintId);
        options.Layers = parse.Or(Layers, options.Layers);
        options.Seed = parse.Or(Seed, options.Seed);
        options.GenerateAtStart = parse.Or(GenerateAtStart, options.GenerateAtStart);
        options.OnlineRules = parse.Or(OnlineRules, options.OnlineRules);
        options.Tokens = parse.Or(Tokens, options.Tokens);
        return options;
    }

    public static string DataPath(WeirContext context, ChallengerOptions options) => context.DataPath(options.DataDir, "challenger");

    private static async Task<int> RunAsync(WeirContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var options = Options(context, parse);
        if (options.Layers <= 0)
        {
            throw new CliException($"--layers must be positive, not {options.Layers}");
        }

        ChallengerService service;
        try
        {
            service = await ChallengerService.StartAsync(options, DataPath(context, options), context.LoggerFactory, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is DirectoryNotFoundException or InvalidDataException or FormatException or IOException)
        {
            throw new CliException(error.Message);
        }

        await using (service.ConfigureAwait(false))
        {
            Console.WriteLine($"Local Challenger at {service.Address.ToString().TrimEnd('/')} (API under /api, dashboard at /dash); {service.DataSet.Description}");
            Console.WriteLine("press Ctrl+C to stop");
            await Task.WhenAny(service.Completion, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }

        return 0;
    }
}
