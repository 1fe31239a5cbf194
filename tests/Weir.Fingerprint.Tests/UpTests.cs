using System.Text.Json;
using Weir.Testing;

namespace Weir.Fingerprint.Tests;

/// <summary>`weir up` runs the generator, the job and the saver against its broker: saved files appear.</summary>
public sealed class UpTests
{
    [Fact]
    public async Task Weir_up_runs_the_generator_the_job_and_the_saver_until_files_are_saved()
    {
        using var data = new TempDirectory("fingerprint-up");
        using var process = WeirCli.Start(
            ["up", "--only", "broker,fingerprint-generator,fingerprint,fingerprint-saver", "--data-root", data.Path],
            environment: new Dictionary<string, string>
            {
                ["WEIR_Broker__Listen"] = "127.0.0.1:0",
                // 3 s windows and 1 s of out-of-orderness, so that windows close within seconds.
                ["WEIR_Fingerprint__WindowSizeMinutes"] = "0.05",
                ["WEIR_Fingerprint__WatermarkSeconds"] = "1",
            });
        var output = new LineCollector(process);
        try
        {
            await output.WaitForLineAsync(l => l.Contains("press Ctrl+C to stop", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var folder = Path.Combine(data.Path, "fingerprint", "output");
            JsonElement saved = default;
            await Eventually.HoldsAsync(() =>
            {
                foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json") : [])
                {
                    try
                    {
                        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                        var root = document.RootElement;
                        if (root.GetProperty("sensor_data").GetProperty("reading_count").GetInt32() > 0)
                        {
                            saved = root.Clone();
                            return Task.FromResult(true);
                        }
                    }
                    catch (Exception e) when (e is IOException or JsonException)
                    {
                        // being written: look again
                    }
                }

                return Task.FromResult(false);
            }, TimeSpan.FromSeconds(90), () => output.Text, TimeSpan.FromMilliseconds(500));

            var fingerprint = saved.GetProperty("fingerprint");
            Assert.Contains(fingerprint.GetProperty("equip_id").GetString(), new[] { "110", "111", "112", "113", "114" });
            Assert.Equal("kiln", fingerprint.GetProperty("type").GetString());
            Assert.Equal(3000, fingerprint.GetProperty("end_ms").GetInt64() - fingerprint.GetProperty("start_ms").GetInt64());
            Assert.True(fingerprint.GetProperty("data").EnumerateObject().Any(), saved.ToString());

            Assert.True(await WeirCli.StopAsync(process, TimeSpan.FromSeconds(30)) == 0, output.Text);
            Assert.Contains(output.Lines, l => l.Contains("stopped fingerprint-saver", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
