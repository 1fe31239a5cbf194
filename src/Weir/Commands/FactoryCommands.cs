using System.CommandLine;
using System.Globalization;
using Weir.Cli.Hosting;
using Weir.Pipelines.Factory;
using Weir.Services.Factory;
using Weir.Services.Hosting;

namespace Weir.Cli.Commands;

/// <summary>The factory pipeline's verbs: the streaming data API, producers, sink, report and benchmark.</summary>
internal static partial class FactoryCommands
{
    public const string Section = "Factory";

    private static readonly Option<string> Listen = new("--listen")
    {
        Description = "host:port to listen on (port 0 picks a free port). Default: 127.0.0.1:5000.",
    };

    private static readonly Option<DirectoryInfo> Source = new("--source")
    {
        Description = "Folder of JSON files to stream, one endpoint per file. Default: <data-root>/factory/source.",
    };

    private static readonly Option<double> Delay = new("--delay")
    {
        Description = "Seconds to wait after each record (0 streams as fast as the client reads). Default: 0.1.",
    };

    private static readonly Option<bool> NoGenerate = new("--no-generate")
    {
        Description = "Do not write the generated sample files (metrics.json, workorder.json) into an empty source folder.",
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Random seed; the same seed gives the same files.",
        DefaultValueFactory = _ => new FactoryDataShape().Seed,
    };

    private static readonly Option<int> Cycles = new("--cycles")
    {
        Description = "Work orders per product, one per ~5000 s cycle, metrics alongside (288 gives the original data size).",
        DefaultValueFactory = _ => new FactoryDataShape().Cycles,
    };

    public static Command Generate()
    {
        var command = new Command("factory",
            "Write sample files in the original schemas into the source folder: metrics.json ({id, val, time} for 20 ids) and " +
            "workorder.json ({time, product, production}, cumulative production of two products). Replaces existing files.")
        {
            Source, Seed, Cycles,
        };
        command.SetVerbAction((context, parse, _) =>
        {
            var folder = context.DataPath(parse.GetValue(Source)?.FullName ?? context.Bind<FactoryApiOptions>($"{Section}:Api").Source, "factory", "source");
            var cycles = parse.GetValue(Cycles);
            if (cycles < 1)
            {
                throw new CliException("--cycles must be 1 or more");
            }

            FactoryDataGenerator.WriteFiles(folder, new FactoryDataShape { Seed = parse.GetValue(Seed), Cycles = cycles });
            Console.WriteLine($"wrote {Path.Combine(folder, FactoryDataGenerator.MetricsFile)} and {Path.Combine(folder, FactoryDataGenerator.WorkOrderFile)}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static readonly Option<DirectoryInfo> Database = new("--database")
    {
        Description = "Folder holding the sink's tables (metrics/ and workorder/, Parquet). Default: <data-root>/factory/database.",
    };

    private static readonly Option<DirectoryInfo> ReportOut = new("--out")
    {
        Description = "Folder for reports; each run writes a new <yyyyMMdd-HHmmss> sub-folder. Default: <data-root>/factory/reports.",
    };

    private static readonly Option<double> WindowHours = new("--window-hours")
    {
        Description = "How far from a work order (either side) a metric reading may be to count. Default: 24.",
    };

    public static Command Report()
    {
        var command = new Command("factory",
            "The correlation report: per product, the increase of cumulative production between consecutive work orders, " +
            "the top three increases, and for each the reading of metric id = product closest in time (within ±1 day). " +
            "Writes one CSV per product and report.svg, a chart to open in a browser.")
        {
            Database, ReportOut, WindowHours,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = context.Bind<FactoryReportOptions>($"{Section}:Report");
            var database = context.DataPath(parse.GetValue(Database)?.FullName ?? options.Database, "factory", "database");
            var output = context.DataPath(parse.GetValue(ReportOut)?.FullName ?? options.Output, "factory", "reports");
            var hours = parse.Or(WindowHours, options.WindowHours);
            if (!double.IsFinite(hours) || hours < 0)
            {
                throw new CliException($"--window-hours must be 0 or more, not {hours}");
            }

            List<(DateTime Time, int Product, float Production)> workOrders;
            List<MetricReading> metrics;
            long skipped;
            try
            {
                (workOrders, metrics, skipped) = await CorrelationReport.LoadAsync(database, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                throw new CliException(e.Message);
            }

            var reports = CorrelationReport.Compute(workOrders, metrics, TimeSpan.FromHours(hours));
            var folder = Path.Combine(output, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            var files = CorrelationReport.Write(folder, reports);
            Console.WriteLine($"read {workOrders.Count} work orders and {metrics.Count} metric readings from {database}" +
                (skipped > 0 ? $" ({skipped} rows with nulls skipped)" : ""));
            foreach (var report in reports)
            {
                Console.WriteLine($"product {report.Product}:");
                foreach (var top in report.Top)
                {
                    var reading = top.Reading is { } r
                        ? $"metric {r.Id} = {r.Value.ToString("R", CultureInfo.InvariantCulture)} at {CorrelationReport.FormatTime(r.Time)}"
                        : "no metric reading within the window";
                    Console.WriteLine($"  #{top.Rank + 1} +{top.Increase.Increase.ToString("R", CultureInfo.InvariantCulture)} at {CorrelationReport.FormatTime(top.Increase.Time)}: {reading}");
                }
            }

            foreach (var file in files)
            {
                Console.WriteLine($"wrote {file}");
            }

            return 0;
        });
        return command;
    }

    public static Command ServeApi()
    {
        var command = new Command("factory-api",
            "Stream every JSON file of the source folder at GET /stream_data_{file}: records sorted by time, one JSON object " +
            "per line (chunked HTTP), with a fixed delay after each; every request replays from the start (?offset=N resumes). " +
            "An empty source folder first gets generated sample files in the original schemas.")
        {
            Listen, Source, Delay, NoGenerate,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = ApiOptions(context, parse);
            var api = await StartApiAsync(context, options, cancellationToken).ConfigureAwait(false);
            await using (api.Service.ConfigureAwait(false))
            {
                Console.WriteLine($"factory API on {api.Service.Address} serving {options.Source}:");
                foreach (var source in api.Sources.Values)
                {
                    Console.WriteLine($"  {new Uri(api.Service.Address, "/" + FactoryStreamingApi.EndpointPrefix + source.Name)}  ({source.Lines.Count} records)");
                }

                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    internal static FactoryApiOptions ApiOptions(WeirContext context, ParseResult? parse)
    {
        var options = context.Bind<FactoryApiOptions>($"{Section}:Api");
        if (parse is not null)
        {
            options.Listen = parse.Or(Listen, options.Listen);
            options.Delay = parse.Or(Delay, options.Delay);
            options.Source = parse.GetValue(Source)?.FullName ?? options.Source;
            options.Generate = !parse.GetValue(NoGenerate) && options.Generate;
        }

        options.Source = context.DataPath(options.Source, "factory", "source");
        if (!double.IsFinite(options.Delay) || options.Delay < 0)
        {
            throw new CliException($"--delay must be 0 or more seconds, not {options.Delay}");
        }

        return options;
    }

    internal static async Task<(WebService Service, IReadOnlyDictionary<string, StreamSource> Sources)> StartApiAsync(
        WeirContext context, FactoryApiOptions options, CancellationToken cancellationToken)
    {
        var folder = options.Source!;
        if (options.Generate && (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*.json").Any()))
        {
            FactoryDataGenerator.WriteFiles(folder, new FactoryDataShape());
        }

        IReadOnlyDictionary<string, StreamSource> sources;
        try
        {
            sources = StreamSourceFiles.Load(folder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new CliException(e.Message);
        }

        if (sources.Count == 0)
        {
            throw new CliException($"no *.json files to stream in '{folder}'");
        }

        var service = await FactoryStreamingApi.StartAsync(sources, options, context.LoggerFactory, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return (service, sources);
    }
}
