using System.CommandLine;
using Confluent.Kafka;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>
/// What the client verbs (topics, produce, consume, groups) share: <c>--bootstrap</c>, and the Confluent.Kafka
/// settings that make them work against Weir's broker and any Kafka cluster alike.
/// </summary>
internal static class KafkaClientOptions
{
    public const string DefaultBootstrap = "127.0.0.1:9092";

    public static Option<string> Bootstrap() => new("--bootstrap")
    {
        Description = $"Kafka bootstrap servers, host:port[,host:port]. Default: {DefaultBootstrap} (Weir's embedded broker), or Kafka:BootstrapServers in configuration.",
    };

    public static string ResolveBootstrap(WeirContext context, ParseResult parse, Option<string> option) =>
        parse.Or(option, context.Configuration["Kafka:BootstrapServers"] ?? DefaultBootstrap);

    /// <summary>-X name=value: any librdkafka setting, as kcat takes them (e.g. -X session.timeout.ms=6000).</summary>
    public static Option<string[]> ClientConfig() => new("--client-config", "-X")
    {
        Description = "A Kafka client setting name=value passed to librdkafka (repeatable), e.g. -X session.timeout.ms=6000.",
    };

    public static void Apply(ClientConfig config, string[]? settings)
    {
        foreach (var setting in settings ?? [])
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"-X expects name=value, got '{setting}'");
            }

            config.Set(setting[..equals], setting[(equals + 1)..]);
        }
    }

    public static AdminClientConfig Admin(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        ClientId = "weir-cli",
        SocketTimeoutMs = 10000,
    };

    /// <summary>Wraps a client error in a one-line CLI error.</summary>
    public static CliException Failed(string what, Exception error) => new($"{what}: {error.Message}");
}
