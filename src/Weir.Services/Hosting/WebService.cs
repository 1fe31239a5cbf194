using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Weir.Services.Hosting;

/// <summary>
/// A running HTTP service (Kestrel, minimal APIs). Every Weir service starts through <see cref="StartAsync"/> so
/// that all of them bind the same way (host:port, port 0 = any free port), log through Weir's logger factory and
/// report the address they really bound.
/// </summary>
internal sealed class WebService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebService(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound base address, e.g. http://127.0.0.1:8866.</summary>
    public Uri Address { get; }

    /// <summary>Completes when the service stops.</summary>
    public Task Completion => _app.WaitForShutdownAsync();

    /// <param name="name">Service name, used in logs.</param>
    /// <param name="listen">"host:port"; port 0 picks a free port.</param>
    /// <param name="loggerFactory">Weir's logger factory (the service logs nothing on its own console).</param>
    /// <param name="configureServices">Registers the service's dependencies.</param>
    /// <param name="map">Maps the service's endpoints.</param>
    public static async Task<WebService> StartAsync(
        string name,
        string listen,
        ILoggerFactory loggerFactory,
        Action<IServiceCollection>? configureServices,
        Action<WebApplication> map,
        CancellationToken cancellationToken)
    {
        var endpoint = ParseListen(listen);
        // Weir reads its configuration itself (WeirContext); the web host needs none of its own. Left to its
        // defaults it would take the working directory as content root and watch it for appsettings changes:
        // an inotify watch on every folder below it (the data root included, over a thousand in a checkout), and
        // a thread woken by every write of the broker's log.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint);
            kestrel.AddServerHeader = false;
        });
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{endpoint}";
        return new WebService(app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Parses "host:port" (IPv4, [IPv6] or "localhost").</summary>
    public static IPEndPoint ParseListen(string listen)
    {
        if (!IPEndPoint.TryParse(listen.Replace("localhost", "127.0.0.1", StringComparison.OrdinalIgnoreCase), out var endpoint))
        {
            throw new FormatException($"'{listen}' is not host:port (e.g. 127.0.0.1:8080)");
        }

        return endpoint;
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
