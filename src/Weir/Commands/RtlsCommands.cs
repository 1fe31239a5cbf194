using System.CommandLine;
using Weir.Cli.Hosting;
using Weir.Pipelines.Rtls;
using Weir.Pipelines.Rtls.Simulation;
using Weir.Pipelines.Shared;

namespace Weir.Cli.Commands;

/// <summary>The RTLS pipeline's verbs: simulator, job, benchmark.</summary>
internal static class RtlsCommands
{
    private static readonly Option<string> Bootstrap = KafkaClientOptions.Bootstrap();

    private static readonly Option<FileInfo> Plan = new("--plan")
    {
        Description = "Floor plan JSON: {\"anchors\": {\"A0\": [2, 0], ...}, \"rooms\": [{\"name\", \"x\", \"y\", \"width\", \"height\"}], \"max_range\": 100}. " +
            "Default: the original's anchors A0 (2,0), A1 (0,2), A2 (2,3) and six 1 m rooms.",
    };

    private static readonly Option<int?> GridAnchors = new("--grid-anchors")
    {
        Description = "Instead of --plan: this many anchors on a square grid (--grid-spacing apart, range 1.5 × spacing), one room per cell.",
    };

    private static readonly Option<double?> GridSpacing = new("--grid-spacing")
    {
        Description = "Metres between grid anchors. Default: 10.",
    };

    private static readonly Option<int?> Tags = new("--tags") { Description = "Number of tags walking the floor. Default: 6." };

    private static readonly Option<string> Interval = new("--interval")
    {
        Description = "Each anchor ranges each tag in range once per interval. Default: 1s.",
    };

    private static readonly Option<double?> Speed = new("--speed") { Description = "Walking speed, m/s. Default: 0.5." };

    private static readonly Option<double?> Noise = new("--noise") { Description = "Standard deviation of the distance noise, m. Default: 0.05." };

    private static readonly Option<double?> Drop = new("--drop") { Description = "Probability that a packet is lost. Default: 0." };

    private static readonly Option<double?> Duplicate = new("--duplicate") { Description = "Probability that a packet is sent twice. Default: 0." };

    private static readonly Option<string> Reorder = new("--reorder")
    {
        Description = "Packets are delivered up to this long after they were measured, so they arrive out of order within it (e.g. 800ms). Default: 0.",
    };

    private static readonly Option<string> Heartbeat = new("--heartbeat") { Description = "AnchorAlive period per anchor. Default: 2s." };

    private static readonly Option<string[]> Kill = new("--kill")
    {
        Description = "An anchor dies (no data, no heartbeats) at a time after the start, and comes back if a second time is given: A2@60s, A1@30s-90s. Repeatable.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<int?> Seed = new("--seed") { Description = "Random seed. Default: 1." };

    private static readonly Option<string> Key = new("--key")
    {
        Description = "Record key: protobuf (the original bridge's constant key) or anchor (the anchor id). Default: protobuf.",
    };

    private static readonly Option<string> Backlog = new("--backlog")
    {
        Description = "Fast mode: simulate this much history (10m, 1h) with synthetic timestamps at full speed, then stop.",
    };

    private static readonly Option<string> Start = new("--start")
    {
        Description = "With --backlog: the simulation's start (epoch ms or ISO-8601). Default: now minus the backlog.",
    };

    private static readonly Option<string> Duration = new("--duration") { Description = "Live mode: stop after this long (default: until Ctrl+C)." };

    private static readonly Option<FileInfo> Truth = new("--truth")
    {
        Description = "Write the tags' true positions here, one JSON line per tag and step: {\"tagid\", \"t\", \"x\", \"y\"}.",
    };

    private static readonly Option<bool> NoAnchorsTopic = new("--no-anchors-topic")
    {
        Description = "Do not publish the plan's anchors to the compacted anchors topic (Rtls:AnchorsTopic) before starting.",
    };

    private static readonly Option<int?> Partitions = new("--partitions")
    {
        Description = "Partitions of packet_data and packet_alive if they have to be created. Default: 1.",
    };

    private static readonly Option<int?> Parallelism = new("--parallelism") { Description = "Parallel subtasks of the job. Default: 2 (Rtls:Parallelism), as the original." };

    private static readonly Option<FileInfo> AnchorsFile = new("--anchors")
    {
        Description = "Anchor positions file ({\"A0\": [2, 0], ...} or a floor plan); re-read when it changes. Default: Rtls:Anchors, else A0 (2,0), A1 (0,2), A2 (2,3).",
    };

    private static readonly Option<int?> WindowSize = new("--window-size") { Description = "Distinct anchors per window (3 or more). Default: 3." };

    private static readonly Option<bool> Compatibility = new("--compat")
    {
        Description = "The original's count window: the next 3 packets whatever their anchors, the error row {\"tagid\":\"err\",...} for a repeated anchor.",
    };

    private static readonly Option<double?> SpreadSeconds = new("--window-spread-seconds") { Description = "Readings of one window lie within this many seconds. Default: 5." };

    private static readonly Option<double?> AliveTimeout = new("--alive-timeout-seconds") { Description = "An anchor without a heartbeat for this long is reported dead on out_alive. Default: 30." };

    private static readonly Option<string> EventTime = new("--event-time") { Description = "packet: the protobuf timestamp (default); kafka: the Kafka record timestamp." };

    private static readonly Option<string> From = new("--from") { Description = "Where a partition without a checkpoint starts: earliest (default), latest (the original's) or committed." };

    private static readonly Option<bool> UntilEnd = new("--until-end") { Description = "Read the input to the end offsets it has at start, then stop." };

    private static readonly Option<bool> NoCheckpoints = new("--no-checkpoints") { Description = "Do not checkpoint (default: every 10 s to <data-root>/checkpoints/rtls)." };

    private static readonly Option<bool> NoAnchorsFollow = new("--no-anchors-topic-follow") { Description = "Ignore the compacted anchors topic." };

    public static Command Run()
    {
        var command = new Command("rtls",
            "Run the RTLS job: protobuf AnchorData from packet_data flat-mapped per (tag, anchor), keyed by tag, windows of 3 distinct " +
            "anchors, trilateration (the original's closed form, least squares for more anchors or poor geometry) to out_data " +
            "{\"tagid\",\"x\",\"y\",\"detached\",\"battery_low\"}; AnchorAlive heartbeats from packet_alive watched by event-time timers, " +
            "{\"anchorid\",\"alive\",\"last_seen\"} to out_alive. Bad packets and readings that make no position go to rtls-dlq with the reason.")
        {
            Bootstrap, Parallelism, AnchorsFile, WindowSize, Compatibility, SpreadSeconds, AliveTimeout, EventTime, From, UntilEnd, NoCheckpoints, NoAnchorsFollow,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = context.Bind<RtlsSettings>(RtlsSettings.Section);
            if (parse.GetValue(AnchorsFile) is { } anchorsFile)
            {
                settings.AnchorsFile = anchorsFile.FullName;
                settings.Anchors = null;
            }

            settings.WindowSize = parse.GetValue(WindowSize) ?? settings.WindowSize;
            settings.Compatibility |= parse.GetValue(Compatibility);
            settings.WindowSpreadSeconds = parse.GetValue(SpreadSeconds) ?? settings.WindowSpreadSeconds;
            settings.AliveTimeoutSeconds = parse.GetValue(AliveTimeout) ?? settings.AliveTimeoutSeconds;
            settings.EventTime = parse.Or(EventTime, settings.EventTime);
            settings.StartFrom = parse.Or(From, settings.StartFrom);
            var run = FingerprintCommands.Cli(() =>
            {
                RtlsJobOptions.From(settings).Window.Validate();
                _ = StartOffsets.Parse(settings.StartFrom);
                _ = settings.InitialAnchors();
                return new RtlsRun
                {
                    Bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, Bootstrap),
                    Settings = settings,
                    Parallelism = parse.GetValue(Parallelism) ?? settings.Parallelism,
                    UntilEnd = parse.GetValue(UntilEnd),
                    CheckpointDirectory = parse.GetValue(NoCheckpoints) ? null : context.DataPath(settings.CheckpointDirectory, "checkpoints", RtlsJob.JobName),
                    FollowAnchorsTopic = !parse.GetValue(NoAnchorsFollow),
                    LoggerFactory = context.LoggerFactory,
                };
            });
            Console.WriteLine($"rtls job: {settings.DataTopic} + {settings.AliveTopic} → {settings.OutputTopic} + {settings.AliveOutputTopic} (dead letters: {settings.DeadLetterTopic}) on {run.Bootstrap}, " +
                $"parallelism {run.Parallelism}, windows of {settings.WindowSize}{(settings.Compatibility ? " (compatibility mode)" : " distinct anchors")}");
            var running = await RtlsRunner.StartAsync(run, cancellationToken).ConfigureAwait(false);
            await using (running.ConfigureAwait(false))
            {
                await using (cancellationToken.Register(running.Job.Cancel))
                {
                    await running.Job.Completion.ConfigureAwait(false);
                }
            }

            return 0;
        });
        return command;
    }

    public static Command Generate()
    {
        var command = new Command("rtls",
            "Simulate UWB anchors and tags: tags walk through a floor plan, every anchor in range reports its noisy distance to each tag " +
            "as protobuf AnchorData on packet_data (key \"protobuf\"), and heartbeats as AnchorAlive on packet_alive; packets can be " +
            "dropped, duplicated and reordered, and anchors can die. Live by default; --backlog simulates history at full speed.")
        {
            Bootstrap, Plan, GridAnchors, GridSpacing, Tags, Interval, Speed, Noise, Drop, Duplicate, Reorder, Heartbeat, Kill, Seed, Key,
            Backlog, Start, Duration, Truth, NoAnchorsTopic, Partitions,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var settings = context.Bind<RtlsSettings>(RtlsSettings.Section);
            var sim = settings.Simulator;
            var bootstrap = KafkaClientOptions.ResolveBootstrap(context, parse, Bootstrap);
            var plan = FingerprintCommands.Cli(() => LoadPlan(parse, sim));
            var options = FingerprintCommands.Cli(() => new RtlsSimulatorOptions
            {
                Tags = parse.GetValue(Tags) ?? sim.Tags,
                IntervalMs = parse.GetValue(Interval) is { } interval ? Durations.ParseMs(interval) : sim.IntervalMs,
                Speed = parse.GetValue(Speed) ?? sim.Speed,
                NoiseStdDev = parse.GetValue(Noise) ?? sim.Noise,
                DropProbability = parse.GetValue(Drop) ?? sim.Drop,
                DuplicateProbability = parse.GetValue(Duplicate) ?? sim.Duplicate,
                ReorderMs = parse.GetValue(Reorder) is { } reorder ? Durations.ParseMs(reorder) : sim.ReorderMs,
                HeartbeatMs = parse.GetValue(Heartbeat) is { } heartbeat ? Durations.ParseMs(heartbeat) : sim.HeartbeatMs,
                Outages = (parse.GetValue(Kill) is { Length: > 0 } kills ? kills : sim.Kill).Select(AnchorOutage.Parse).ToList(),
                Seed = parse.GetValue(Seed) ?? sim.Seed,
            });
            var keyMode = parse.Or(Key, sim.Key);
            if (keyMode is not ("protobuf" or "anchor"))
            {
                throw new CliException($"--key must be protobuf or anchor, not '{keyMode}'");
            }

            var schedule = FingerprintCommands.Cli(() => RtlsSchedule(parse, options.IntervalMs));
            var simulator = FingerprintCommands.Cli(() => new RtlsSimulator(plan, options, schedule.StartMs!.Value));
            var topics = new RtlsTopics(settings.DataTopic, settings.AliveTopic, parse.GetValue(NoAnchorsTopic) ? null : settings.AnchorsTopic, keyMode == "anchor");
            var partitions = parse.GetValue(Partitions) ?? sim.Partitions;
            using var publisher = new KafkaPublisher(bootstrap, "weir-rtls-simulator", throughput: schedule.Backlog);
            await KafkaPublisher.EnsureTopicsAsync(bootstrap,
                [new TopicSpec(topics.Data, partitions), new TopicSpec(topics.Alive, partitions), .. topics.Anchors is { } a ? new[] { new TopicSpec(a, 1, Compacted: true) } : []],
                cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"simulating {options.Tags} tags and {plan.Anchors.Count} anchors ({plan.Rooms.Count} rooms) to {topics.Data}/{topics.Alive} on {bootstrap}" +
                (schedule.Backlog ? $", backlog from {DateTimeOffset.FromUnixTimeMilliseconds(schedule.StartMs!.Value):O}" : ""));
            var truthPath = parse.GetValue(Truth)?.FullName;
            await using var truth = truthPath is null ? null : new StreamWriter(truthPath);
            var log = context.LoggerFactory.CreateLogger("weir.generate.rtls");
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await RtlsSimulatorRunner.RunAsync(simulator, plan, publisher, topics, schedule, truth, TimeProvider.System, log, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine($"{publisher.Delivered} packets delivered ({simulator.Measured} ranges measured, {simulator.Dropped} dropped, {simulator.Duplicated} duplicated) in {seconds:F1} s");
            }

            return 0;
        });
        return command;
    }

    public static Command Bench()
    {
        var tags = new Option<int>("--tags") { Description = "Tags in the backlog.", DefaultValueFactory = _ => 10_000 };
        var anchors = new Option<int>("--anchors") { Description = "Anchors, on a grid 10 m apart (15 m range).", DefaultValueFactory = _ => 50 };
        var backlog = new Option<string>("--backlog") { Description = "Simulated time of the backlog (one step a second).", DefaultValueFactory = _ => "10s" };
        var repeats = new Option<int>("--repeats") { Description = "Runs of each throughput measurement; the median is reported.", DefaultValueFactory = _ => 2 };
        var liveTags = new Option<int>("--live-tags") { Description = "Tags in the live latency run.", DefaultValueFactory = _ => 1_000 };
        var live = new Option<string>("--live") { Description = "Length of the live latency run.", DefaultValueFactory = _ => "30s" };
        var command = new Command("rtls",
            "Measure packets/s through the RTLS job on a simulated backlog (10,000 tags, 50 anchors by default) at parallelism 1 and 2 " +
            "against a raw Confluent.Kafka consumer of the same topic, and on live packets the latency from a window's third packet to " +
            "its position on out_data. Runs its own embedded broker under <data-root>/bench/rtls.")
        {
            tags, anchors, backlog, repeats, liveTags, live,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var options = FingerprintCommands.Cli(() => new RtlsBenchmark.Options
            {
                Bootstrap = "",
                Tags = FingerprintCommands.Positive(parse.GetValue(tags), "--tags"),
                Anchors = parse.GetValue(anchors) >= 4 ? parse.GetValue(anchors) : throw new ArgumentException("--anchors must be 4 or more"),
                BacklogMs = Durations.ParseMs(parse.GetValue(backlog)!),
                Repeats = FingerprintCommands.Positive(parse.GetValue(repeats), "--repeats"),
                LiveTags = FingerprintCommands.Positive(parse.GetValue(liveTags), "--live-tags"),
                LiveMs = Durations.ParseMs(parse.GetValue(live)!),
            });
            await BenchBroker.RunAsync(context, "rtls",
                bootstrap => RtlsBenchmark.RunAsync(options with { Bootstrap = bootstrap }, Console.Out, cancellationToken), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static FloorPlan LoadPlan(ParseResult parse, RtlsSimulatorSettings sim)
    {
        var grid = parse.GetValue(GridAnchors) ?? sim.GridAnchors;
        var planFile = parse.GetValue(Plan)?.FullName ?? sim.Plan;
        if (grid > 0 && planFile is not null)
        {
            throw new FormatException("give either --plan or --grid-anchors, not both");
        }

        return grid > 0 ? FloorPlan.Grid(grid, parse.GetValue(GridSpacing) ?? sim.GridSpacing)
            : planFile is not null ? FloorPlan.Load(planFile)
            : FloorPlan.Default;
    }

    private static GeneratorSchedule RtlsSchedule(ParseResult parse, long intervalMs)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (parse.GetValue(Backlog) is { } backlog)
        {
            var duration = Durations.ParseMs(backlog);
            return GeneratorSchedule.Of(intervalMs, duration, parse.GetValue(Start) is { } start ? Durations.ParseInstantMs(start) : now - duration);
        }

        return parse.GetValue(Start) is not null
            ? throw new FormatException("--start applies to --backlog")
            : GeneratorSchedule.Live(intervalMs, parse.GetValue(Duration) is { } live ? Durations.ParseMs(live) : null) with { StartMs = now };
    }
}
