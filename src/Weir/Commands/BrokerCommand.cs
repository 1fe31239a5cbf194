using System.CommandLine;
using Weir.Broker;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>`weir broker`: runs the embedded Kafka-compatible broker in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class BrokerCommand
{
    private static readonly Option<string> Listen = new("--listen")
    {
        Description = "Address to listen on, host:port (port 0 = any free port). Default: 127.0.0.1:9092.",
    };

    private static readonly Option<string> Advertised = new("--advertised")
    {
        Description = "host:port that clients are told to connect to. Default: the listen address (the host name when listening on 0.0.0.0).",
    };

    private static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = "Folder of the log and broker state. Default: <data-root>/broker.",
    };

    private static readonly Option<bool> AutoCreate = new("--auto-create")
    {
        Description = "Create topics on first use by a client (Kafka's auto.create.topics.enable). Default: true.",
    };

    private static readonly Option<int> Partitions = new("--partitions")
    {
        Description = "Partitions of auto-created topics and of topics created with the default. Default: 1.",
    };

    private static readonly Option<FsyncPolicy> Fsync = new("--fsync")
    {
        Description = "When data is forced to disk: Always (before acknowledging, group commit), Interval (every --fsync-interval-ms), Never (left to the OS). Default: Interval.",
    };

    private static readonly Option<int> FsyncInterval = new("--fsync-interval-ms")
    {
        Description = "Period of --fsync Interval. Default: 1000.",
    };

    private static readonly Option<long> RetentionMs = new("--retention-ms")
    {
        Description = "Default retention.ms of topics (-1 = forever). Default: 604800000 (7 days).",
    };

    private static readonly Option<long> RetentionBytes = new("--retention-bytes")
    {
        Description = "Default retention.bytes per partition (-1 = no limit). Default: -1.",
    };

    private static readonly Option<int> SegmentBytes = new("--segment-bytes")
    {
        Description = "Default segment.bytes. Default: 1073741824 (1 GiB).",
    };

    private static readonly Option<int> MaxFrameBytes = new("--max-frame-bytes")
    {
        Description = "Largest request accepted; bigger ones close the connection. Default: 104857600.",
    };

    public static Command Create()
    {
        var command = new Command("broker", "Run Weir's embedded Kafka-compatible broker in the foreground (Ctrl+C stops it). Any Kafka client can connect to it.")
        {
            Listen, Advertised, DataDir, AutoCreate, Partitions, Fsync, FsyncInterval, RetentionMs, RetentionBytes, SegmentBytes, MaxFrameBytes,
        };
        command.SetVerbAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(WeirContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var options = BrokerSettings.FromConfiguration(context);
        options.Listen = parse.Or(Listen, options.Listen);
        options.AdvertisedAddress = parse.Or(Advertised, options.AdvertisedAddress!);
        options.DataDirectory = parse.Given(DataDir) ? Path.GetFullPath(parse.GetValue(DataDir)!) : options.DataDirectory;
        options.AutoCreateTopics = parse.Or(AutoCreate, options.AutoCreateTopics);
        options.DefaultPartitions = parse.Or(Partitions, options.DefaultPartitions);
        options.Fsync = parse.Or(Fsync, options.Fsync);
        options.FsyncIntervalMs = parse.Or(FsyncInterval, options.FsyncIntervalMs);
        options.RetentionMs = parse.Or(RetentionMs, options.RetentionMs);
        options.RetentionBytes = parse.Or(RetentionBytes, options.RetentionBytes);
        options.SegmentBytes = parse.Or(SegmentBytes, options.SegmentBytes);
        options.MaxFrameBytes = parse.Or(MaxFrameBytes, options.MaxFrameBytes);

        await using var server = new BrokerServer(options, context.LoggerFactory);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ArgumentException or IOException or System.Net.Sockets.SocketException)
        {
            throw new CliException($"broker: {error.Message}");
        }

        Console.WriteLine($"weir broker: {BrokerSettings.Describe(server)}");
        Console.WriteLine("weir broker: running; press Ctrl+C to stop");
        try
        {
            await Task.WhenAny(server.Completion, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            await server.Completion.WaitAsync(TimeSpan.Zero).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            await server.StopAsync().ConfigureAwait(false);
        }

        return server.Completion.IsFaulted ? 1 : 0;
    }
}
