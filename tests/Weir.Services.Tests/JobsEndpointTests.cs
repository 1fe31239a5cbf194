using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Services.Http;
using Weir.Services.Jobs;
using Weir.Services.Metrics;
using Weir.Streams;
using Weir.Testing;

namespace Weir.Services.Tests;

public sealed class JobsEndpointTests
{
    [Fact]
    public async Task Api_jobs_lists_running_jobs_with_their_figures_and_cancels_them()
    {
        using var collector = new PrometheusCollector(m => m.Name == "Weir.Streams");
        await using var host = await WeirHttpHost.StartAsync(
            new HttpOptions { Listen = "127.0.0.1:0" }, NullLoggerFactory.Instance, [new JobsEndpointModule()], collector, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = host.Address };

        var name = $"api-{Guid.NewGuid():N}"[..12];
        var env = StreamEnvironment.Create(new JobOptions { Name = name, Parallelism = 2 });
        env.FromGenerator(i => i, count: null, Streams.Time.WatermarkStrategy.ForMonotonousTimestamps<long>().WithTimestampAssigner(i => i))
            .KeyBy(i => i % 10)
            .Map(i => i * 2)
            .WithName("double")
            .ForEach(_ => { });
        var job = env.Start();
        await job.Running.WaitAsync(TimeSpan.FromSeconds(30));

        JobInfo? info = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                var jobs = JsonSerializer.Deserialize<List<JobInfo>>(await http.GetStringAsync(new Uri("/api/jobs", UriKind.Relative)), JobsEndpointModule.Json)!;
                info = jobs.SingleOrDefault(j => j.Name == name);
                return info is { Status: JobStatus.Running } && info.Operators.Single(o => o.Name == "double").RecordsOut > 1000;
            },
            TimeSpan.FromSeconds(30),
            () => $"job not listed as running with records: {JsonSerializer.Serialize(info)}");
        Assert.Equal(["Generator", "double", "ForEach"], info!.Operators.Select(o => o.Name));
        Assert.All(info.Operators, o => Assert.Equal(2, o.Parallelism));
        Assert.NotNull(info.Operators.Single(o => o.Name == "double").Watermark);

        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"weir_job_records_out_total{{job=\"{name}\",operator=\"double\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains($"weir_job_running{{job=\"{name}\"}} 1", metrics, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("/api/jobs/no-such-job/cancel", UriKind.Relative), null)).StatusCode);
        var cancel = await http.PostAsync(new Uri($"/api/jobs/{info.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        var after = JsonSerializer.Deserialize<JobInfo>(await http.GetStringAsync(new Uri($"/api/jobs/{info.Id}", UriKind.Relative)), JobsEndpointModule.Json)!;
        Assert.Equal(JobStatus.Cancelled, after.Status);
        await job.DisposeAsync();
    }
}
