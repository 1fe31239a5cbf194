using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Weir.Cli.Hosting;

/// <summary>
/// What a verb needs from its surroundings: configuration (defaults &lt; appsettings.json &lt; WEIR_ environment
/// variables &lt; flags), logging and the data root. Built once per invocation.
/// </summary>
internal sealed class WeirContext : IDisposable
{
    public const string EnvironmentPrefix = "WEIR_";

    private WeirContext(IConfiguration configuration, ILoggerFactory loggerFactory, string dataRoot)
    {
        Configuration = configuration;
        LoggerFactory = loggerFactory;
        DataRoot = dataRoot;
    }

    public IConfiguration Configuration { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Absolute path of the data root; components keep their files in sub-folders of it.</summary>
    public string DataRoot { get; }

    public static WeirContext Create(ParseResult parse)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        var explicitConfig = parse.GetValue(GlobalOptions.Config);
        if (explicitConfig is not null)
        {
            if (!explicitConfig.Exists)
            {
                throw new CliException($"configuration file '{explicitConfig.FullName}' does not exist");
            }

            builder.AddJsonFile(explicitConfig.FullName, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        var configuration = builder.Build();

        var level = parse.GetValue(GlobalOptions.LogLevel)
            ?? configuration.GetValue<LogLevel?>("Logging:LogLevel:Default")
            ?? LogLevel.Information;
        var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(logging =>
        {
            logging.SetMinimumLevel(level);

            // Weir prints what it started and where; ASP.NET Core's and the host's own information lines ("Now
            // listening on", "Application started") would repeat that once per service. They show at Debug.
            var framework = level <= LogLevel.Debug || level > LogLevel.Warning ? level : LogLevel.Warning;
            logging.AddFilter("Microsoft.AspNetCore", framework);
            logging.AddFilter("Microsoft.Hosting", framework);
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        });

        var dataRoot = parse.GetValue(GlobalOptions.DataDir)?.FullName
            ?? configuration["DataRoot"]
            ?? "data";
        return new WeirContext(configuration, loggerFactory, Path.GetFullPath(dataRoot));
    }

    /// <summary>Binds a configuration section onto a fresh options object (defaults come from its initialisers).</summary>
    public T Bind<T>(string section)
        where T : new()
    {
        var options = new T();
        Configuration.GetSection(section).Bind(options);
        return options;
    }

    /// <summary>A path under the data root, unless <paramref name="configured"/> names one.</summary>
    public string DataPath(string? configured, params string[] defaultParts) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine([DataRoot, .. defaultParts]) : configured);

    public void Dispose() => LoggerFactory.Dispose();
}
