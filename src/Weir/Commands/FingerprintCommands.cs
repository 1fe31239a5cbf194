using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Pipelines.Fingerprint;
using Weir.Pipelines.Shared;

namespace Weir.Cli.Commands;

/// <summary>The fingerprint pipeline's verbs: generator, job, saver, benchmark.</summary>
internal static class FingerprintCommands
{
    private static readonly Option<string> Bootstrap = KafkaClientOptions.Bootstrap();

    private static readonly Option<string> Topic = new("--topic")
    {
        Description = "Topic to write readings to. Default: sensor-data (Fingerprint:InputTopic).",
    };

    private static readonly Option<string> Equipment = new("--equipment")
    {
        Description = "Equipment ids: a range (110-114), a list (110,111,KILN_2) or both. Default: 110-114 (Fingerprint:EquipmentIds).",
    };

    private static readonly Option<string> Sensors = new("--sensors")
    {
        Description = "Sensor ids per equipment, as --equipment (zero padding kept). Default: 0001-0005 (Fingerprint:SensorIds).",
    };

    private static readonly Option<string> Interval = new("--interval")
    {
        Description = "Time between two messages of one equipment (1s, 500ms). Default: 1s.",
    };

    private static readonly Option<double?> NullProbability = new("--null-probability")
    {
        Description = "Probability that a value is the string \"null\". Default: 0.15.",
    };

    private static readonly Option<bool> StringValues = new("--string-values")
    {
        Description = "Write values as numeric strings (\"45.234\", as the original README shows) instead of JSON numbers.",
    };

    private static readonly Option<int?> Seed = new("--seed")
    {
        Description = "Random seed; the same seed gives the same values. Default: 1.",
    };

    private static readonly Option<string> Backlog = new("--backlog")
    {
        Description = "Fast mode: generate this much history (6h, 30m) with synthetic timestamps as fast as the broker takes it, then stop.",
    };

    private static readonly Option<string> Start = new("--start")
    {
        Description = "With --backlog: the first timestamp (epoch ms or ISO-8601). Default: now minus the backlog.",
    };

    private static readonly Option<string> Duration = new("--duration")
    {
        Description = "Live mode: stop after this long (default: run until Ctrl+C).",
    };

    private static readonly Option<int?> Partitions = new("--partitions")
    {
        Description = "Partitions of the topic if it has to be created. Default: 1.",
    };

    private static readonly Option<bool> NoKey = new("--no-key")
    {
        Description = "Send messages without a key, as the original did (default: key = equipment id, which keeps each equipment's order).",
    };

    private static readonly Option<int?> Parallelism = new("--parallelism")
    {
        Description = "Parallel subtasks of the job. Default: 1 (Fingerprint:Parallelism).",
    };

    private static readonly Option<double?> WindowMinutes = new("--window-minutes")
    {
        Description = "Tumbling window size in minutes. Default: 1 (Fingerprint:WindowSizeMinutes).",
    };

    private static readonly Option<double?> WatermarkSeconds = new("--watermark-seconds")
    {
        Description = "Bounded out-of-orderness of event time, seconds. Default: 10 (Fingerprint:WatermarkSeconds).",
    };

    private static readonly Option<string> EventTime = new("--event-time")
    {
        Description = "json: the message's timestamp field (default); kafka: the Kafka record timestamp, as the original.",
    };

    private static readonly Option<string> From = new("--from")
    {
        Description = "Where a partition without a checkpoint starts: earliest (default), latest (the original's) or committed.",
    };

    private static readonly Option<bool> UntilEnd = new("--until-end")
    {
        Description = "Read the input to the end offsets it has at start, flush every open window and stop (a backlog run).",
    };

    private static readonly Option<bool> NoCheckpoints = new("--no-checkpoints")
    {
        Description = "Do not checkpoint (default: every 10 s to <data-root>/checkpoints/fingerprint; a restart resumes there).",
    };

    private static readonly Option<bool> Float32 = new("--float32")
    {
        Description = "Round values through float32 like the original's Types.FLOAT() (1.09 becomes 1.090000033378601).",
    };

    public static Command Run()
    {
        var command = new Command("fingerprint",
            "Run the fingerprint job: readings from sensor-data keyed by equipment, event-time tumbling windows (1 min, 10 s " +
            "out-of-orderness, idleness), min/max/median/mean/std_dev per sensor as the original computed them, one record per " +
            "equipment and window to fingerprint-output (deterministic uuid). Late readings go to fingerprint-late, bad ones to " +
            "fingerprint-dlq.")
        {
            Bootstrap, Parallelism, WindowMinutes, WatermarkSeconds, EventTime, From, UntilEnd, NoCheckpoints, Float32,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = context.Bind<FingerprintSettings>(FingerprintSettings.Section);
            settings.WindowSizeMinutes = parse.GetValue(WindowMinutes) ?? settings.WindowSizeMinutes;
            settings.WatermarkSeconds = parse.GetValue(WatermarkSeconds) ?? settings.WatermarkSeconds;
            settings.EventTime = parse.Or(EventTime, settings.EventTime);
            settings.StartFrom = parse.Or(From, settings.StartFrom);
            settings.Float32Values |= parse.GetValue(Float32);
            var run = Cli(() =>
            {
                var checkedOptions = FingerprintJobOptions.From(settings);
                checkedOptions.Validate();
                _ = StartOffsets.Parse(settings.StartFrom);
                return new FingerprintRun
                {
                    Bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, Bootstrap),
                    Settings = settings,
                    Parallelism = parse.GetValue(Parallelism) ?? settings.Parallelism,
                    UntilEnd = parse.GetValue(UntilEnd),
                    CheckpointDirectory = parse.GetValue(NoCheckpoints) ? null : context.DataPath(settings.CheckpointDirectory, "checkpoints", FingerprintJob.JobName),
                    LoggerFactory = context.LoggerFactory,
                };
            });
            Console.WriteLine($"fingerprint job: {settings.InputTopic} → {settings.OutputTopic} (late: {settings.LateTopic}, dead letters: {settings.DeadLetterTopic}) on {run.Bootstrap}, " +
                $"parallelism {run.Parallelism}, {settings.WindowSizeMinutes} min windows, {settings.WatermarkSeconds} s out-of-orderness");
            var job = FingerprintRunner.Start(run, out var deadLetters);
            using (deadLetters)
            {
                await using (job.ConfigureAwait(false))
                {
                    await using (cancellationToken.Register(job.Cancel))
                    {
                        await job.Completion.ConfigureAwait(false);
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static readonly Option<DirectoryInfo> Output = new("--output")
    {
        Description = "Folder for the {uuid}_{start_ms}_{end_ms}.json files. Default: <data-root>/fingerprint/output (Fingerprint:Saver:OutputFolder).",
    };

    private static readonly Option<bool> SaverUntilEnd = new("--until-end")
    {
        Description = "Stop once both topics are read to their end and every fingerprint has its file (a backlog run).",
    };

    public static Command RunSaver()
    {
        var command = new Command("fingerprint-saver",
            "Join each fingerprint with the raw readings of its window and write {uuid}_{start_ms}_{end_ms}.json (the fingerprint, " +
            "the window, the readings sorted by time), as the original's save_fingerprints.py did; a fingerprint waits until its " +
            "window's readings are all read, and readings that arrive after their file was written are added to it (late_readings).")
        {
            Bootstrap, Output, SaverUntilEnd,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = context.Bind<FingerprintSettings>(FingerprintSettings.Section);
            var run = new FingerprintSaverRun
            {
                Bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, Bootstrap),
                Settings = settings,
                OutputFolder = context.DataPath(parse.GetValue(Output)?.FullName ?? settings.Saver.OutputFolder, "fingerprint", "output"),
                UntilEnd = parse.GetValue(SaverUntilEnd),
            };
            Console.WriteLine($"fingerprint saver: {settings.OutputTopic} + {settings.InputTopic} on {run.Bootstrap} → {run.OutputFolder}");
            var saver = new FingerprintSaver(run, context.LoggerFactory.CreateLogger("weir.fingerprint-saver"));
            await saver.RunAsync(cancellationToken).ConfigureAwait(false);
            var counts = saver.State!.Counts;
            Console.WriteLine($"{counts.Files} files written ({counts.Readings} readings, {counts.LateReadings} late, {counts.UnmatchedReadings} without a fingerprint)");
            return 0;
        });
        return command;
    }

    public static Command Generate()
    {
        var command = new Command("fingerprint",
            "Publish sensor readings to sensor-data as the original generator did: every second one JSON message per equipment " +
            "({\"equip_id\": 110, \"timestamp\": ms, \"data\": {\"0001\": 45.234, ...}}), values uniform 0-100 with 3 decimals, " +
            "\"null\" with probability 0.15. Live by default; --backlog writes hours of history at full speed.")
        {
            Bootstrap, Topic, Equipment, Sensors, Interval, NullProbability, StringValues, Seed, Backlog, Start, Duration, Partitions, NoKey,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = context.Bind<FingerprintSettings>(FingerprintSettings.Section);
            var bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, Bootstrap);
            var topic = parse.Or(Topic, settings.InputTopic);
            var options = Cli(() => new FingerprintGeneratorOptions
            {
                EquipmentIds = IdList.Parse(parse.Or(Equipment, settings.EquipmentIds)),
                SensorIds = IdList.Parse(parse.Or(Sensors, settings.SensorIds)),
                IntervalMs = parse.GetValue(Interval) is { } interval ? Durations.ParseMs(interval) : settings.Generator.IntervalMs,
                NullProbability = parse.GetValue(NullProbability) ?? settings.Generator.NullProbability,
                StringValues = parse.GetValue(StringValues) || settings.Generator.StringValues,
                Seed = parse.GetValue(Seed) ?? settings.Generator.Seed,
            });
            Cli(options.Validate);
            var schedule = Cli(() => Schedule(parse, options.IntervalMs));
            var log = context.LoggerFactory.CreateLogger("weir.generate.fingerprint");
            var generator = new FingerprintGenerator(options);
            using var publisher = new KafkaPublisher(bootstrap, "weir-fingerprint-generator", throughput: schedule.Backlog);
            await KafkaPublisher.EnsureTopicsAsync(bootstrap, [new TopicSpec(topic, parse.GetValue(Partitions) ?? settings.Generator.Partitions)], cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"generating readings for {options.EquipmentIds.Count} equipment × {options.SensorIds.Count} sensors every {options.IntervalMs} ms to {topic} on {bootstrap}" +
                (schedule.Backlog ? $" (backlog from {DateTimeOffset.FromUnixTimeMilliseconds(schedule.StartMs!.Value):O})" : ""));
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await FingerprintGeneratorRunner.RunAsync(generator, publisher, topic, !parse.GetValue(NoKey), schedule, TimeProvider.System, log, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine($"{generator.Messages} messages ({generator.Values} values, {generator.Nulls} nulls) in {seconds:F1} s, {generator.Messages / Math.Max(seconds, 1e-9):F0} messages/s");
            }

            return 0;
        });
        return command;
    }

    public static Command Bench()
    {
        var equipment = new Option<int>("--equipment-count") { Description = "Equipment ids in the backlog.", DefaultValueFactory = _ => 10_000 };
        var sensors = new Option<int>("--sensor-count") { Description = "Sensors per equipment.", DefaultValueFactory = _ => 25 };
        var interval = new Option<string>("--interval") { Description = "Time between two messages of one equipment in the backlog.", DefaultValueFactory = _ => "10s" };
        var backlog = new Option<string>("--backlog") { Description = "Event time the backlog spans (1-minute windows).", DefaultValueFactory = _ => "3m" };
        var repeats = new Option<int>("--repeats") { Description = "Runs of each throughput measurement; the median is reported.", DefaultValueFactory = _ => 2 };
        var liveEquipment = new Option<int>("--live-equipment") { Description = "Equipment ids in the live latency run (one message each per second).", DefaultValueFactory = _ => 1_000 };
        var live = new Option<string>("--live") { Description = "Length of the live latency run.", DefaultValueFactory = _ => "75s" };
        var liveWindow = new Option<double>("--live-window-minutes") { Description = "Window size of the live latency run.", DefaultValueFactory = _ => 0.25 };
        var command = new Command("fingerprint",
            "Measure events/s through the fingerprint job on a backlog (10,000 equipment × 25 sensors by default) at parallelism 1 and 2 " +
            "against a raw Confluent.Kafka consumer of the same topic, and on live readings the latency from a window's end plus the " +
            "watermark delay to its fingerprint on the output topic. Runs its own embedded broker under <data-root>/bench/fingerprint.")
        {
            equipment, sensors, interval, backlog, repeats, liveEquipment, live, liveWindow,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = Cli(() => new FingerprintBenchmark.Options
            {
                Bootstrap = "",
                Equipment = Positive(parse.GetValue(equipment), "--equipment-count"),
                Sensors = Positive(parse.GetValue(sensors), "--sensor-count"),
                IntervalMs = Durations.ParseMs(parse.GetValue(interval)!),
                BacklogMs = Durations.ParseMs(parse.GetValue(backlog)!),
                Repeats = Positive(parse.GetValue(repeats), "--repeats"),
                LiveEquipment = Positive(parse.GetValue(liveEquipment), "--live-equipment"),
                LiveMs = Durations.ParseMs(parse.GetValue(live)!),
                LiveWindowMinutes = parse.GetValue(liveWindow) > 0 ? parse.GetValue(liveWindow) : throw new ArgumentException("--live-window-minutes must be positive"),
            });
            await BenchBroker.RunAsync(context, "fingerprint",
                bootstrap => FingerprintBenchmark.RunAsync(options with { Bootstrap = bootstrap }, Console.Out, cancellationToken), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static int Positive(int value, string option) => value >= 1 ? value : throw new ArgumentException($"{option} must be 1 or more");

    internal static GeneratorSchedule Schedule(ParseResult parse, long intervalMs)
    {
        if (parse.GetValue(Backlog) is { } backlog)
        {
            var duration = Durations.ParseMs(backlog);
            return GeneratorSchedule.Of(intervalMs, duration, parse.GetValue(Start) is { } start
                ? Durations.ParseInstantMs(start)
                : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - duration);
        }

        if (parse.GetValue(Start) is not null)
        {
            throw new FormatException("--start applies to --backlog");
        }

        return GeneratorSchedule.Live(intervalMs, parse.GetValue(Duration) is { } live ? Durations.ParseMs(live) : null);
    }

    /// <summary>Turns a bad value (FormatException, ArgumentException) into a one-line CLI error.</summary>
    internal static T Cli<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            throw new CliException(error.Message);
        }
    }

    internal static void Cli(Action validate) => Cli(() =>
    {
        validate();
        return 0;
    });
}
