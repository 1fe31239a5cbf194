using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf;
using Weir.Pipelines.Lpbf.Bench;
using Weir.Pipelines.Lpbf.Data;

namespace Weir.Cli.Commands;

/// <summary>The LPBF pipeline's sub-verbs of the shared groups: `weir generate lpbf`, `weir bench lpbf ...`.</summary>
internal static class LpbfCommands
{
    public static Command Bench()
    {
        var command = new Command("lpbf", "LPBF (DEBS 2025) benchmarks: per-tile kernels against numpy (tile).");
        command.Subcommands.Add(BenchTile());
        return command;
    }

    private static Command BenchTile()
    {
        var layers = new Option<int>("--layers") { Description = "Layers of generated tiles to time (16 tiles each; the first two fill the windows). Default: 12.", DefaultValueFactory = _ => 12 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated tiles. Default: 2025.", DefaultValueFactory = _ => 2025 };
        var noPython = new Option<bool>("--no-python") { Description = "Time Weir's kernels only, without the numpy baseline." };
        var command = new Command(
            "tile",
            "Time decode + Q1 + Q2 + Q3 per tile on one thread, for Weir's kernels and for a numpy/scipy/scikit-learn " +
            "implementation of the same definition (Debian python3-numpy, python3-scipy, python3-sklearn, python3-pil), on the same tiles.")
        {
            layers, seed, noPython,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = new TileBenchmark.Options(context.DataPath(null, "bench", "lpbf-tiles"), parse.GetValue(layers), parse.GetValue(seed), SkipPython: parse.GetValue(noPython));
            if (options.Layers < 3)
            {
                throw new CliException("--layers must be at least 3 (a window needs three layers)");
            }

            Console.Write(await TileBenchmark.RunAsync(options, Console.Out, cancellationToken).ConfigureAwait(false));
            return 0;
        });
        return command;
    }

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
