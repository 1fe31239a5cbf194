using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf;
using Weir.Pipelines.Lpbf.Data;

namespace Weir.Cli.Commands;

/// <summary>The LPBF pipeline's sub-verbs of the shared groups: `weir generate lpbf` (and later `run`, `bench`).</summary>
internal static class LpbfCommands
{
    public static Command Generate()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the tiles to (L<layer>-T<tile>.tif). Required.", Required = true };
        var layers = new Option<int>("--layers") { Description = "Layers to write, 16 tiles each. Default: 225.", DefaultValueFactory = _ => LpbfConstants.Layers };
        var seed = new Option<int>("--seed") { Description = "Seed of the print. Default: 2025.", DefaultValueFactory = _ => 2025 };
        var printId = new Option<string>("--print-id") { Description = "Print id (used by the emulator when it serves the folder). Default: SI266220200309225433.", DefaultValueFactory = _ => LpbfConstants.DefaultPrintId };
        var command = new Command(
            "lpbf",
            "Write the generated LPBF print as a folder of 16-bit Deflate TIFF tiles named L<layer>-T<tile>.tif, the layout " +
            "`weir challenger --tiles DIR` serves. The same seed always gives the same files.")
        {
            output, layers, seed, printId,
        };
        command.SetVerbAction(async (_, parse, cancellationToken) =>
        {
            var options = new GeneratorOptions { Layers = parse.GetValue(layers), Seed = parse.GetValue(seed), PrintId = parse.GetValue(printId)! };
            if (options.Layers <= 0)
            {
                throw new CliException($"--layers must be positive, not {options.Layers}");
            }

            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var dataSet = new GeneratedDataSet(options, folder);
            var started = DateTime.UtcNow;
            await dataSet.WriteAllAsync(null, cancellationToken).ConfigureAwait(false);

            // The data set writes into a sub-folder named after its options; move the tiles up to the folder asked for.
            foreach (var file in Directory.EnumerateFiles(dataSet.Folder))
            {
                File.Move(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            }

            Directory.Delete(dataSet.Folder);
            Console.WriteLine($"wrote {dataSet.Count} tiles to {folder} in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }
}
