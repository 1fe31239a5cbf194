using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Weir.Cli.Hosting;
using Weir.Pipelines.Lpbf.Job;
using Weir.Pipelines.Lpbf.Orchestrator;

namespace Weir.Cli.Commands;

/// <summary>One benchmark run: the job (inline or already running elsewhere) plus the orchestrator.</summary>
internal static class LpbfRun
{
    public static async Task<OrchestratorReport> RunAsync(LpbfJobOptions jobOptions, OrchestratorOptions options, bool inlineJob, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("weir.lpbf");
        try
        {
            await LpbfTopicAdmin.EnsureAsync(jobOptions.BootstrapServers, jobOptions.Topics, jobOptions.Parallelism, cancellationToken).ConfigureAwait(false);
            if (!inlineJob)
            {
                return await new LpbfOrchestrator(options, logger).RunAsync(cancellationToken).ConfigureAwait(false);
            }

            var job = LpbfJob.Build(jobOptions, loggerFactory, out var deadLetters).Start();
            using (deadLetters)
            await using (job.ConfigureAwait(false))
            {
                await job.Running.WaitAsync(cancellationToken).ConfigureAwait(false);
                var run = new LpbfOrchestrator(options, logger).RunAsync(cancellationToken);
                var finished = await Task.WhenAny(run, job.Completion).ConfigureAwait(false);
                if (finished == job.Completion)
                {
                    await job.Completion.ConfigureAwait(false); // a failed job throws here with its reason
                    throw new CliException("the lpbf job stopped before the benchmark finished");
                }

                job.Cancel();
                return await run.ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is ChallengerException or TimeoutException or HttpRequestException or KafkaException)
        {
            throw new CliException(error.Message);
        }
    }

    public static string Describe(OrchestratorReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"benchmark {report.BenchId}: {report.Posted} of {report.Fetched} batches answered in {report.Elapsed.TotalSeconds:F2} s ({report.BatchesPerSecond:F1} batches/s as the orchestrator saw it)");
        try
        {
            using var metrics = JsonDocument.Parse(report.EndResponse);
            if (metrics.RootElement.TryGetProperty("0", out var q0))
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"challenger: count {q0.GetProperty("count")}, missing {q0.GetProperty("missing")}, throughput {q0.GetProperty("throughput").GetDouble():F1} batches/s, " +
                    $"latency mean {q0.GetProperty("latency_mean").GetString()}, p99 {q0.GetProperty("latency_p99").GetString()}, max {q0.GetProperty("latency_max").GetString()}");
            }
        }
        catch (JsonException)
        {
            // The online platform answers /end with an empty body; its metrics are on its web page.
        }

        text.Append(CultureInfo.InvariantCulture, $"end: {(report.EndResponse.Length == 0 ? "(empty)" : report.EndResponse)}");
        return text.ToString();
    }
}
