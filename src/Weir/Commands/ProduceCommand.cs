using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>`weir produce`: one record per input line (what kafka-console-producer.sh does), optionally key&lt;TAB&gt;value.</summary>
internal static class ProduceCommand
{
    public static Command Create()
    {
        var bootstrap = KafkaClientOptions.Bootstrap();
        var topic = new Option<string>("--topic") { Description = "Topic to write to.", Required = true };
        var file = new Option<FileInfo?>("--file") { Description = "Read lines from this file instead of standard input." };
        var keys = new Option<bool>("--keys") { Description = "Each line is key<separator>value (see --key-separator); lines without the separator have no key." };
        var separator = new Option<string>("--key-separator") { Description = "Separator between key and value with --keys. Default: a tab.", DefaultValueFactory = _ => "\t" };
        var partition = new Option<int?>("--partition") { Description = "Write every record to this partition. Default: the client's partitioner (by key)." };
        var acks = new Option<string>("--acks") { Description = "Acknowledgements: all, 1 or 0. Default: all.", DefaultValueFactory = _ => "all" };
        var compression = new Option<CompressionType>("--compression") { Description = "Batch compression: None, Gzip, Snappy, Lz4, Zstd. Default: None." };
        var headers = new Option<string[]>("--header") { Description = "Header name=value added to every record (repeatable)." };
        var clientConfig = KafkaClientOptions.ClientConfig();
        var command = new Command("produce", "Write lines from standard input (or --file) as records to a topic, on Weir's broker or any Kafka cluster.")
        {
            topic, bootstrap, file, keys, separator, partition, acks, compression, headers, clientConfig,
        };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var topicName = parse.GetValue(topic)!;
            var config = new ProducerConfig
            {
                BootstrapServers = KafkaClientOptions.ResolveBootstrap(context, parse, bootstrap),
                ClientId = "weir-cli",
                Acks = parse.GetValue(acks) switch
                {
                    "all" or "-1" => Acks.All,
                    "1" => Acks.Leader,
                    "0" => Acks.None,
                    var other => throw new CliException($"--acks must be all, 1 or 0, got '{other}'"),
                },
                CompressionType = parse.GetValue(compression),
                LingerMs = 5,
            };
            KafkaClientOptions.Apply(config, parse.GetValue(clientConfig));
            var fixedHeaders = ParseHeaders(parse.GetValue(headers));
            var keyed = parse.GetValue(keys);
            var keySeparator = parse.GetValue(separator)!;
            var target = parse.GetValue(partition);
            var inputFile = parse.GetValue(file);
            if (inputFile is { Exists: false })
            {
                throw new CliException($"input file {inputFile.FullName} does not exist");
            }

            using var input = inputFile is null ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8) : new StreamReader(inputFile.FullName, Encoding.UTF8);
            using var producer = new ProducerBuilder<string?, string>(config).Build();
            long sent = 0, failed = 0;
            string? firstError = null;
            void OnDelivered(DeliveryReport<string?, string> report)
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, report.Error.Reason, null);
                }
            }

            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                var message = new Message<string?, string> { Value = line };
                if (keyed)
                {
                    var at = line.IndexOf(keySeparator, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        message.Key = line[..at];
                        message.Value = line[(at + keySeparator.Length)..];
                    }
                }

                if (fixedHeaders.Count > 0)
                {
                    message.Headers = [];
                    foreach (var (name, value) in fixedHeaders)
                    {
                        message.Headers.Add(name, value);
                    }
                }

                ProduceOne(producer, topicName, target, message, OnDelivered);
                sent++;
            }

            producer.Flush(cancellationToken);
            if (failed > 0)
            {
                throw new CliException($"{failed} of {sent} record(s) were not written to {topicName}: {firstError}");
            }

            await Console.Error.WriteLineAsync($"produced {sent} record(s) to {topicName}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static void ProduceOne(IProducer<string?, string> producer, string topic, int? partition, Message<string?, string> message, Action<DeliveryReport<string?, string>> onDelivered)
    {
        while (true)
        {
            try
            {
                if (partition is { } p)
                {
                    producer.Produce(new TopicPartition(topic, p), message, onDelivered);
                }
                else
                {
                    producer.Produce(topic, message, onDelivered);
                }

                return;
            }
            catch (ProduceException<string?, string> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client's queue is full: let it send some, then retry.
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static List<(string Name, byte[] Value)> ParseHeaders(string[]? values)
    {
        var headers = new List<(string, byte[])>();
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--header expects name=value, got '{value}'");
            }

            headers.Add((value[..equals], Encoding.UTF8.GetBytes(value[(equals + 1)..])));
        }

        return headers;
    }
}
