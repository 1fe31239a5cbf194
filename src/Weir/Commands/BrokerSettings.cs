using Weir.Broker;
using Weir.Cli.Hosting;

namespace Weir.Cli.Commands;

/// <summary>The broker's options from the <c>Broker</c> configuration section, with its data under the data root.</summary>
internal static class BrokerSettings
{
    public const string Section = "Broker";

    public static BrokerOptions FromConfiguration(WeirContext context)
    {
        var options = context.Bind<BrokerOptions>(Section);
        options.DataDirectory = context.DataPath(context.Configuration[$"{Section}:{nameof(BrokerOptions.DataDirectory)}"], "broker");
        return options;
    }

    public static string Describe(BrokerServer server) => $"kafka://{server.BootstrapServers} (listening on {server.LocalEndPoint}), data in {server.DataDirectory}";
}
