using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Services.Challenger;
using Weir.Testing;

namespace Weir.Lpbf.Tests;

/// <summary>A Local Challenger emulator on 127.0.0.1 (any free port) over a temporary data folder, and an HTTP client for it.</summary>
internal sealed class EmulatorHost : IAsyncDisposable
{
    private readonly TempDirectory? _ownFolder;

    private EmulatorHost(ChallengerService service, string dataDir, TempDirectory? ownFolder)
    {
        Service = service;
        DataDir = dataDir;
        _ownFolder = ownFolder;
        Http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public ChallengerService Service { get; }

    public string DataDir { get; }

    public HttpClient Http { get; }

    /// <summary>The URL a challenge client is given (it appends /api/... itself).</summary>
    public string Url => Service.Address.ToString().TrimEnd('/');

    public static async Task<EmulatorHost> StartAsync(Action<ChallengerOptions>? configure = null, string? dataDir = null, TimeProvider? time = null)
    {
        var options = new ChallengerOptions { Listen = "127.0.0.1:0", Layers = 3 };
        configure?.Invoke(options);
        TempDirectory? own = null;
        if (dataDir is null)
        {
            own = new TempDirectory("challenger");
            dataDir = own.Path;
        }

        var service = await ChallengerService.StartAsync(options, dataDir, NullLoggerFactory.Instance, time, CancellationToken.None);
        return new EmulatorHost(service, dataDir, own);
    }

    public async Task<string> CreateAsync(object body)
    {
        var response = await Http.PostAsJsonAsync("/api/create", body);
        Assert.True(response.IsSuccessStatusCode, $"create: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<string>())!;
    }

    public async Task<string> CreateAndStartAsync(int? maxBatches = null)
    {
        var id = await CreateAsync(new { apitoken = "polimi-deib", name = "test", test = true, max_batches = maxBatches });
        var start = await Http.PostAsync($"/api/start/{id}", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, start.StatusCode);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
        _ownFolder?.Dispose();
    }
}
