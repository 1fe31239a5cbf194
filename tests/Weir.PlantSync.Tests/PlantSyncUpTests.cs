using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

/// <summary>`weir up` with the plant-sync components: producer API, consumer service and workload beside the broker.</summary>
public sealed class PlantSyncUpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Weir_up_runs_producer_consumer_and_workload_and_stops_cleanly()
    {
        using var data = new TempDirectory("plant-up");
        // `weir up` reads its addresses from configuration, so the test picks free ports first and hands them over.
        var (broker, producer, consumer) = (FreePort(), FreePort(), FreePort());
        var environment = new Dictionary<string, string>
        {
            ["WEIR_Broker__Listen"] = $"127.0.0.1:{broker}",
            ["WEIR_PlantSync__Bootstrap"] = $"127.0.0.1:{broker}",
            ["WEIR_PlantSync__Producer__Listen"] = $"127.0.0.1:{producer}",
            ["WEIR_PlantSync__Producer__SeedImages"] = "2",
            ["WEIR_PlantSync__Consumer__Listen"] = $"127.0.0.1:{consumer}",
            ["WEIR_PlantSync__Workload__Api"] = $"http://127.0.0.1:{producer}",
            ["WEIR_PlantSync__Workload__Speed"] = "400",
        };
        using var up = WeirCli.Start(["up", "--only", "broker,plant-images,plant-sync,plant-workload", "--data-root", data.Path], environment: environment);
        var output = new LineCollector(up);
        try
        {
            await output.WaitForLineAsync(l => l.StartsWith("weir up: running", StringComparison.Ordinal), Timeout);
            using var http = new HttpClient();
            var last = "";
            await Eventually.HoldsAsync(
                async () =>
                {
                    var producerTotal = await TotalAsync(http, producer);
                    var consumerTotal = await TotalAsync(http, consumer);
                    last = $"producer {producerTotal} potato images, consumer {consumerTotal}";
                    return producerTotal > 6 && producerTotal == consumerTotal;
                },
                Timeout,
                () => $"{last}\n{output.Text}",
                TimeSpan.FromMilliseconds(500));

            using var terminate = System.Diagnostics.Process.Start("kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await terminate.WaitForExitAsync();
            using var exited = new CancellationTokenSource(Timeout);
            await up.WaitForExitAsync(exited.Token);

            Assert.Equal(0, up.ExitCode);
            foreach (var component in new[] { "plant-workload", "plant-sync", "plant-images", "broker" })
            {
                Assert.Contains($"stopped {component}", output.Text, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (!up.HasExited)
            {
                up.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<long> TotalAsync(HttpClient http, int port)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/image-plant/potato/total/")));
        return json.RootElement.GetProperty("total_images").GetInt64();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
