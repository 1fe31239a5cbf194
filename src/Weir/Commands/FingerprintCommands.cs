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
