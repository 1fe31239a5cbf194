using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>
/// `weir consume`: prints records of a topic, one per line (what kafka-console-consumer.sh does). Without
/// --group it reads the partitions directly; with --group it joins that consumer group and commits.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var topic = new Option<string>("--topic") { Description = "Topic to read.", Required = true };
        var from = new Option<string>("--from") { Description = "Where to start: beginning, latest or an offset number. Default: latest (with --group: the committed offset, else this).", DefaultValueFactory = _ => "latest" };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition. Default: all of them." };
        var count = new Option<long?>("--count") { Description = "Stop after this many records. Default: run until Ctrl+C (or --timeout-ms)." };
        var group = new Option<string?>("--group") { Description = "Consume as a member of this consumer group and commit offsets." };
        var timeout = new Option<int?>("--timeout-ms") { Description = "Stop when no record arrives for this long." };
        var printKey = new Option<bool>("--print-key") { Description = "Print each record's key (\"null\" when absent) before its value." };
        var printTimestamp = new Option<bool>("--print-timestamp") { Description = "Print each record's timestamp type and value (CreateTime:1700000000000)." };
        var printHeaders = new Option<bool>("--print-headers") { Description = "Print each record's headers (name:value,name:value)." };
        var printOffset = new Option<bool>("--print-offset") { Description = "Print each record's partition and offset (p:offset)." };
        var clientConfig = KafkaClientOptions.ClientConfig();
        var command = new Command("consume", "Print records of a topic (values, optionally keys, timestamps, headers, offsets), from Weir's broker or any Kafka cluster.")
        {
            topic, bootstrap, from, partition, count, group, timeout, printKey, printTimestamp, printHeaders, printOffset, clientConfig,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var topicName = parse.GetValue(topic)!;
            var groupId = parse.GetValue(group);
            var start = ParseStart(parse.GetValue(from)!);
            var config = new ConsumerConfig
            {
                BootstrapServers = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap),
                ClientId = "weir-cli",
                GroupId = groupId ?? "weir-cli-consume",
                EnableAutoCommit = groupId is not null,

                // Offsets are stored only after the records are printed and flushed (at-least-once output).
                EnableAutoOffsetStore = false,
                AutoOffsetReset = start == Offset.Beginning ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
                EnablePartitionEof = false,
            };
            KafkaClientOptions.Apply(config, parse.GetValue(clientConfig));
            var printer = new RecordPrinter(parse.GetValue(printKey), parse.GetValue(printTimestamp), parse.GetValue(printHeaders), parse.GetValue(printOffset));
            var limit = parse.GetValue(count) ?? long.MaxValue;
            var idle = parse.GetValue(timeout) is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;

            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
            if (groupId is null)
            {
                consumer.Assign(Partitions(config.BootstrapServers, topicName, parse.GetValue(partition)).Select(p => new TopicPartitionOffset(p, start)));
            }
            else if (parse.GetValue(partition) is not null)
            {
                throw new CliException("--partition and --group cannot be combined: the group decides who reads which partition");
            }
            else
            {
                consumer.Subscribe(topicName);
            }

            await using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
            var printedSinceFlush = new List<TopicPartitionOffset>();
            long printed = 0;
            var lastRecord = DateTime.UtcNow;
            async Task FlushAsync()
            {
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (groupId is not null)
                {
                    foreach (var position in printedSinceFlush)
                    {
                        try
                        {
                            consumer.StoreOffset(position);
                        }
                        catch (KafkaException error) when (error.Error.Code == ErrorCode.Local_State)
                        {
                            // Revoked meanwhile: the member that owns it now reads those records again.
                        }
                    }
                }

                printedSinceFlush.Clear();
            }

            try
            {
                while (printed < limit && !cancellationToken.IsCancellationRequested)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                    if (result is null)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        if (idle is { } wait && DateTime.UtcNow - lastRecord > wait)
                        {
                            break;
                        }

                        continue;
                    }

                    lastRecord = DateTime.UtcNow;
                    await output.WriteLineAsync(printer.Format(result)).ConfigureAwait(false);
                    printedSinceFlush.Add(new TopicPartitionOffset(result.TopicPartition, result.Offset + 1));
                    printed++;
                    if (printedSinceFlush.Count >= 1000)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (ConsumeException error)
            {
                throw KafkaClientOptions.Failed($"cannot consume {topicName}", error);
            }
            finally
            {
                await FlushAsync().ConfigureAwait(false);
                consumer.Close();
            }

            return 0;
        });
        return command;
    }

    private static Offset ParseStart(string value) => value switch
    {
        "beginning" or "earliest" => Offset.Beginning,
        "latest" or "end" => Offset.End,
        _ when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) => new Offset(offset),
        _ => throw new CliException($"--from must be beginning, latest or an offset, got '{value}'"),
    };

    private static List<TopicPartition> Partitions(string bootstrap, string topic, int? only)
    {
        using var admin = new AdminClientBuilder(KafkaClientOptions.Admin(bootstrap)).Build();
        TopicMetadata? metadata;
        try
        {
            // Metadata for all topics: asking for one by name lets the broker auto-create it.
            metadata = admin.GetMetadata(TimeSpan.FromSeconds(15)).Topics.FirstOrDefault(t => t.Topic == topic);
        }
        catch (KafkaException error)
        {
            throw KafkaClientOptions.Failed($"cannot read metadata of {topic}", error);
        }

        if (metadata is null || metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            throw new CliException($"topic {topic} does not exist");
        }

        var partitions = metadata.Partitions.Select(p => p.PartitionId).Order().ToList();
        if (only is { } p)
        {
            return partitions.Contains(p) ? [new TopicPartition(topic, p)] : throw new CliException($"topic {topic} has no partition {p}");
        }

        return partitions.Select(id => new TopicPartition(topic, id)).ToList();
    }

    private sealed class RecordPrinter(bool key, bool timestamp, bool headers, bool offset)
    {
        private readonly StringBuilder _line = new();

        public string Format(ConsumeResult<byte[]?, byte[]?> result)
        {
            _line.Clear();
            if (offset)
            {
                _line.Append(CultureInfo.InvariantCulture, $"{result.Partition.Value}:{result.Offset.Value}\t");
            }

            if (timestamp)
            {
                var type = result.Message.Timestamp.Type == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime";
                _line.Append(CultureInfo.InvariantCulture, $"{type}:{result.Message.Timestamp.UnixTimestampMs}\t");
            }

            if (headers)
            {
                var first = true;
                foreach (var header in result.Message.Headers ?? [])
                {
                    _line.Append(first ? "" : ",").Append(header.Key).Append(':').Append(Text(header.GetValueBytes()));
                    first = false;
                }

                _line.Append(first ? "NO_HEADERS" : "").Append('\t');
            }

            if (key)
            {
                _line.Append(Text(result.Message.Key)).Append('\t');
            }

            return _line.Append(Text(result.Message.Value)).ToString();
        }

        private static string Text(byte[]? bytes) => bytes is null ? "null" : Encoding.UTF8.GetString(bytes);
    }
}
