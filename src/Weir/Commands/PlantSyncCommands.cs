using System.CommandLine;
using System.Globalization;
using Weir.Cli.Hosting;
using Weir.Connectors.Sql;
using Weir.Pipelines.PlantSync;
using Weir.Pipelines.PlantSync.Workload;
using Weir.Pipelines.Shared;
using Weir.Services.PlantImages;

namespace Weir.Cli.Commands;

/// <summary>
/// The plant-image sync's verbs: the producer's image API (serve plant-images), the workload (generate plant-images),
/// the streaming consumer service (run plant-sync), the batch synchronizer (run plant-batch-sync) and the comparison
/// benchmark (bench plant-sync). Settings come from the "PlantSync" configuration section; flags override them.
/// </summary>
internal static class PlantSyncCommands
{
    private static readonly Option<string> Bootstrap = new("--bootstrap")
    {
        Description = "Kafka bootstrap servers. Default: PlantSync:Bootstrap, else Kafka:BootstrapServers, else 127.0.0.1:9092 (Weir's broker).",
    };

    private static readonly Option<int?> Partitions = new("--partitions")
    {
        Description = "Partitions per plant topic when the topics are created (the original had 1). Default: 1.",
    };

    private static readonly Option<string> ProducerListen = new("--listen")
    {
        Description = "host:port for the producer's image API (port 0: any free port). Default: 127.0.0.1:8000.",
    };

    private static readonly Option<string> ConsumerListen = new("--listen")
    {
        Description = "host:port for the consumer side's read-only image API (port 0: any free port). Default: 127.0.0.1:8001.",
    };

    private static readonly Option<string> ProducerDatabase = new("--database")
    {
        Description = "Producer database: an SQLite file or a PostgreSQL connection string (postgres://user:pass@host/db or Host=...;Database=...). " +
            "Default: <data-root>/plant/producer.db.",
    };

    private static readonly Option<string> ConsumerDatabase = new("--database")
    {
        Description = "Consumer database: an SQLite file or a PostgreSQL connection string. Default: <data-root>/plant/consumer.db.",
    };

    private static readonly Option<int?> SeedImages = new("--seed-images")
    {
        Description = "Images generated per plant when a plant has none yet. Default: 10.",
    };

    private static readonly Option<bool> NoRelay = new("--no-relay")
    {
        Description = "Do not publish changes to Kafka (they wait in the outbox until a relay runs).",
    };

    private static readonly Option<string> Group = new("--group")
    {
        Description = "Consumer group; instances with the same group share the partitions. Default: pepper-potato-tomato-group.",
    };

    private static readonly Option<string> ProducerApi = new("--producer-api")
    {
        Description = "The producer API's address, named in the consumer side's answer to writes. Default: http://127.0.0.1:8000.",
    };

    private static readonly Option<string> Api = new("--api")
    {
        Description = "The producer image API to drive. Default: http://127.0.0.1:8000.",
    };

    private static readonly Option<double?> Speed = new("--speed")
    {
        Description = "Divides every job's period (camera 30 s, recogniser 100 s, activate 300 s, edit 300 s, delete 700 s): " +
            "1 is the original pace (about 0.05 changes/s), 400 about 20 changes/s. Default: 1.",
    };

    private static readonly Option<long> Changes = new("--changes")
    {
        Description = "Stop after this many changes (0: run until stopped). Default: 0.",
    };

    private static readonly Option<int?> Seed = new("--seed")
    {
        Description = "Random seed of the jobs; the same seed makes the same calls. Default: 1.",
    };

    private static readonly Option<int?> ImageSize = new("--image-size")
    {
        Description = "Width and height of the camera's JPEG leaves in pixels. Default: 96.",
    };

    private static readonly Option<string> BatchProducer = new("--producer-database")
    {
        Description = "Database to copy from. Default: the producer's (PlantSync:Producer:Database, else <data-root>/plant/producer.db).",
    };

    private static readonly Option<string> BatchConsumer = new("--consumer-database")
    {
        Description = "Database to copy into. Default: the consumer's (PlantSync:Consumer:Database, else <data-root>/plant/consumer.db).",
    };

    private static readonly Option<TimeSpan?> Interval = Duration("--interval", "Time between runs, e.g. 600s, 10m, 1h. Default: 600s (the original's).");

    private static readonly Option<TimeSpan?> Overlap = Duration("--overlap", "How far behind its watermark each run re-reads, for changes committed late. Default: 5s.");

    private static readonly Option<bool> Once = new("--once")
    {
        Description = "Run once and exit instead of every interval.",
    };

    public static Command ServePlantImages()
    {
        var command = new Command("plant-images",
            "The producer side of the plant-image sync: the Leaf Image Management System's image API (ping, is-deployed, " +
            "get, total, list, random, create, update, soft delete) over the producer database, and the outbox relay that " +
            "publishes every change as the whole record to the plant's topic (potato, tomato, pepper), keyed {plant}-{id}.")
        {
            ProducerListen, ProducerDatabase, Bootstrap, Partitions, SeedImages, NoRelay,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = Options(context, parse);
            var database = ProducerDatabasePath(context, options);
            await using var producer = await StartProducerAsync(context, options, database, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"plant images API on {producer.Address} over {producer.DatabaseDescription}; " +
                (producer.Relay is null ? "relay off" : $"publishing to {options.Bootstrap}"));
            await WaitAsync(producer.Completion, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static Command RunPlantSync()
    {
        var command = new Command("plant-sync",
            "The consumer service: reads the potato, tomato and pepper topics in consumer group pepper-potato-tomato-group, " +
            "applies each change to the consumer database as an idempotent upsert that never lets an older version win, " +
            "and serves the same image API read-only (writes answer 405 naming the producer). Several instances share the partitions.")
        {
            ConsumerListen, ConsumerDatabase, Bootstrap, Group, Partitions, ProducerApi,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = Options(context, parse);
            var database = ConsumerDatabasePath(context, options);
            await using var service = await StartConsumerAsync(context, options, database, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"plant sync consuming {options.Bootstrap} as group {options.Consumer.GroupId} into {service.DatabaseDescription}; " +
                $"read-only image API on {service.Address}");
            await WaitAsync(service.Completion, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static Command RunPlantBatchSync()
    {
        var command = new Command("plant-batch-sync",
            "The original batch Db Synchronizer Job, for comparison: right away and then every interval, copies the records " +
            "changed since its last run from the producer database into the consumer database (latest version only).")
        {
            BatchProducer, BatchConsumer, Interval, Overlap, Once,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = Options(context, parse);
            var interval = parse.GetValue(Interval) ?? options.Batch.Interval;
            var overlap = parse.GetValue(Overlap) ?? options.Batch.Overlap;
            if (interval <= TimeSpan.Zero || overlap < TimeSpan.Zero)
            {
                throw new CliException("--interval must be positive and --overlap zero or more");
            }

            var from = parse.GetValue(BatchProducer) ?? options.Batch.ProducerDatabase ?? ProducerDatabasePath(context, options);
            var to = parse.GetValue(BatchConsumer) ?? options.Batch.ConsumerDatabase ?? ConsumerDatabasePath(context, options);
            await using var producer = OpenDatabase(from);
            await using var consumer = OpenDatabase(to);
            await PlantImageSchema.EnsureAsync(producer, cancellationToken).ConfigureAwait(false);
            await PlantImageSchema.EnsureAsync(consumer, cancellationToken).ConfigureAwait(false);
            var synchronizer = new BatchSynchronizer(
                producer, new ReplicaWriter(consumer, TimeProvider.System, "batch"), TimeProvider.System,
                context.LoggerFactory.CreateLogger("weir.plant-batch-sync"), new BatchSynchronizerOptions { Interval = interval, Overlap = overlap });
            Console.WriteLine($"batch sync from {producer.Description} to {consumer.Description}" + (parse.GetValue(Once) ? ", once" : $", every {interval.TotalSeconds} s"));
            if (parse.GetValue(Once))
            {
                var run = await synchronizer.SyncOnceAsync(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"copied {run.Applied} of {run.Read} changed records ({run.Bytes} bytes)");
                return 0;
            }

            await synchronizer.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static Command GeneratePlantImages()
    {
        var command = new Command("plant-images",
            "The original jobs against the producer's image API: the camera adds JPEG leaves, the disease recogniser labels " +
            "images, the users job activates, edits and deletes them, at the original periods divided by --speed.")
        {
            Api, Speed, Changes, Seed, ImageSize,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = Options(context, parse);
            var workload = WorkloadOptions(options, parse.GetValue(Changes));
            using var http = new HttpClient { BaseAddress = ApiAddress(options.Workload.Api) };
            var client = new PlantImageClient(http);
            try
            {
                await client.TotalAsync(Plants.Potato, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException error)
            {
                throw new CliException($"cannot reach the image API at {http.BaseAddress}: {error.Message}");
            }

            var runner = new PlantWorkload(client, workload, TimeProvider.System, context.LoggerFactory.CreateLogger("weir.plant-workload"));
            Console.WriteLine($"driving {http.BaseAddress} at about {workload.ChangesPerSecond.ToString("0.###", CultureInfo.InvariantCulture)} changes/s" +
                (workload.MaxChanges > 0 ? $" for {workload.MaxChanges} changes" : ""));
            await runner.RunAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"made {runner.Changes} changes ({runner.Failures} failed calls)");
            return 0;
        });
        return command;
    }

    /// <summary>The "PlantSync" section with the typed flags applied.</summary>
    internal static PlantSyncOptions Options(WeirContext context, ParseResult? parse)
    {
        var options = context.Bind<PlantSyncOptions>(PlantSyncOptions.Section);
        options.Bootstrap = context.Configuration[$"{PlantSyncOptions.Section}:Bootstrap"] ?? context.Configuration["Kafka:BootstrapServers"] ?? options.Bootstrap;
        if (parse is not null)
        {
            options.Bootstrap = parse.Or(Bootstrap, options.Bootstrap);
            options.Partitions = parse.GetValue(Partitions) ?? options.Partitions;
            options.Producer.Listen = parse.Or(ProducerListen, options.Producer.Listen);
            options.Producer.Database = parse.GetValue(ProducerDatabase) ?? options.Producer.Database;
            options.Producer.SeedImages = parse.GetValue(SeedImages) ?? options.Producer.SeedImages;
            options.Producer.Relay = options.Producer.Relay && !parse.GetValue(NoRelay);
            options.Consumer.Listen = parse.Or(ConsumerListen, options.Consumer.Listen);
            options.Consumer.Database = parse.GetValue(ConsumerDatabase) ?? options.Consumer.Database;
            options.Consumer.GroupId = parse.Or(Group, options.Consumer.GroupId);
            options.Consumer.ProducerApi = parse.Or(ProducerApi, options.Consumer.ProducerApi);
            options.Workload.Api = parse.Or(Api, options.Workload.Api);
            options.Workload.Speed = parse.GetValue(Speed) ?? options.Workload.Speed;
            options.Workload.Seed = parse.GetValue(Seed) ?? options.Workload.Seed;
            options.Workload.ImageSize = parse.GetValue(ImageSize) ?? options.Workload.ImageSize;
        }

        if (options.Partitions < 1)
        {
            throw new CliException($"--partitions must be 1 or more, not {options.Partitions}");
        }

        if (options.Producer.SeedImages < 0)
        {
            throw new CliException($"--seed-images must be 0 or more, not {options.Producer.SeedImages}");
        }

        if (!double.IsFinite(options.Workload.Speed) || options.Workload.Speed <= 0)
        {
            throw new CliException($"--speed must be a positive number, not {options.Workload.Speed}");
        }

        if (options.Workload.ImageSize is < 8 or > 2048)
        {
            throw new CliException($"--image-size must be from 8 to 2048 pixels, not {options.Workload.ImageSize}");
        }

        return options;
    }

    internal static string ProducerDatabasePath(WeirContext context, PlantSyncOptions options) =>
        DatabaseTarget(context, options.Producer.Database, "producer.db");

    internal static string ConsumerDatabasePath(WeirContext context, PlantSyncOptions options) =>
        DatabaseTarget(context, options.Consumer.Database, "consumer.db");

    internal static PlantWorkloadOptions WorkloadOptions(PlantSyncOptions options, long maxChanges) => new()
    {
        Speed = options.Workload.Speed,
        Seed = options.Workload.Seed,
        ImageSize = options.Workload.ImageSize,
        MaxChanges = maxChanges >= 0 ? maxChanges : throw new CliException($"--changes must be 0 or more, not {maxChanges}"),
    };

    internal static Uri ApiAddress(string api) =>
        Uri.TryCreate(api.EndsWith('/') ? api : api + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"'{api}' is not an http:// address of the image API");

    internal static async Task<PlantImageProducer> StartProducerAsync(WeirContext context, PlantSyncOptions options, string database, CancellationToken cancellationToken)
    {
        try
        {
            return await PlantImageProducer.StartAsync(options, database, context.LoggerFactory, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is System.Data.Common.DbException or IOException or FormatException or ArgumentException)
        {
            throw new CliException($"cannot start the plant images API over '{Redact(database)}': {error.Message}");
        }
    }

    internal static async Task<PlantSyncConsumerService> StartConsumerAsync(WeirContext context, PlantSyncOptions options, string database, CancellationToken cancellationToken)
    {
        try
        {
            return await PlantSyncConsumerService.StartAsync(options, database, context.LoggerFactory, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is System.Data.Common.DbException or IOException or FormatException or ArgumentException)
        {
            throw new CliException($"cannot start the plant sync consumer over '{Redact(database)}': {error.Message}");
        }
    }

    private static SqlDatabase OpenDatabase(string target)
    {
        try
        {
            return SqlDatabase.Open(target);
        }
        catch (Exception error) when (error is ArgumentException or IOException)
        {
            throw new CliException($"cannot open database '{Redact(target)}': {error.Message}");
        }
    }

    private static string DatabaseTarget(WeirContext context, string? configured, string file) =>
        !string.IsNullOrWhiteSpace(configured) && SqlDatabase.IsPostgres(configured) ? configured : context.DataPath(configured, "plant", file);

    /// <summary>A database target for messages: a PostgreSQL password never reaches the console.</summary>
    private static string Redact(string target) =>
        SqlDatabase.IsPostgres(target) ? System.Text.RegularExpressions.Regex.Replace(target, "(?i)(password=)[^;]*|(://[^:/@]+:)[^@]*@", "$1$2***") : target;

    private static async Task WaitAsync(Task completion, CancellationToken cancellationToken)
    {
        await Task.WhenAny(completion, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await completion.ConfigureAwait(false);
    }

    /// <summary>A duration option: "600s", "10m", "1.5h", "250ms" or plain seconds (<see cref="Durations"/>).</summary>
    internal static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (TryParseDuration(text, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration (e.g. 600s, 10m, 1h, 250ms)");
            return null;
        },
    };

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        try
        {
            value = TimeSpan.FromMilliseconds(Durations.ParseMs(text));
            return true;
        }
        catch (FormatException)
        {
            value = default;
            return false;
        }
    }
}
