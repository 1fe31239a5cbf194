using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Weir.Cli.Hosting;
using Weir.Services.Http;
using Weir.Services.Jobs;
using Weir.Streams;
using Weir.Streams.Time;

namespace Weir.Cli.Commands;

/// <summary>
/// `weir jobs list|cancel`: talks to the Weir process that runs the jobs over its HTTP host (/api/jobs), by
/// default the one `weir up` starts (configuration section Http, 127.0.0.1:8080).
/// </summary>
internal static class JobsCommand
{
    public static Command Create()
    {
        var command = new Command("jobs", "List and cancel the jobs of a running Weir process (through its HTTP host's /api/jobs).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Cancel());
        return command;
    }

    private static Option<string> Url() => new("--url")
    {
        Description = "Base address of the Weir process's HTTP host. Default: http://<Http:Listen> (http://127.0.0.1:8080).",
    };

    private static Command List()
    {
        var url = Url();
        var json = new Option<bool>("--json") { Description = "Print the raw JSON of /api/jobs." };
        var command = new Command("list", "List jobs: status, parallelism, each operator's records in/out and watermark, the last checkpoint.") { url, json };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var body = await SendAsync(context, parse, url, HttpMethod.Get, "/api/jobs", cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Console.WriteLine(body);
                return 0;
            }

            var jobs = JsonSerializer.Deserialize<List<JobInfo>>(body, JobsEndpointModule.Json) ?? [];
            if (jobs.Count == 0)
            {
                Console.WriteLine("no jobs");
            }

            foreach (var job in jobs)
            {
                Print(job);
            }

            return 0;
        });
        return command;
    }

    private static Command Cancel()
    {
        var url = Url();
        var id = new Argument<string>("job") { Description = "The job's id (from `weir jobs list`) or its name." };
        var command = new Command("cancel", "Cancel a running job (its subtasks stop; it resumes from its last checkpoint when started again).") { id, url };
        command.SetVerbAction(async (context, parse, cancellationToken) =>
        {
            var body = await SendAsync(context, parse, url, HttpMethod.Post, $"/api/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/cancel", cancellationToken).ConfigureAwait(false);
            var job = JsonSerializer.Deserialize<JobInfo>(body, JobsEndpointModule.Json)!;
            Console.WriteLine($"cancelling {job.Id} ({job.Name})");
            return 0;
        });
        return command;
    }

    private static void Print(JobInfo job)
    {
        var checkpoint = job.LastCheckpoint is { } c
            ? $"checkpoint {c.Id} at {c.CompletedAt.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} ({c.Duration.TotalMilliseconds:F0} ms)"
            : "no checkpoint";
        Console.WriteLine($"{job.Id}  {job.Status.ToString().ToLowerInvariant()}  parallelism {job.Parallelism}  started {job.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z  {checkpoint}  dead letters {job.DeadLetters}");
        if (job.Failure is { } failure)
        {
            Console.WriteLine($"  failed: {failure}");
        }

        var width = job.Operators.Select(o => o.Name.Length).DefaultIfEmpty(8).Max();
        Console.WriteLine($"  {"operator".PadRight(width)}  {"p",3}  {"records in",14}  {"records out",14}  watermark");
        foreach (var op in job.Operators)
        {
            var watermark = op.Watermark is { } w ? Timestamps.Format(w) : "-";
            var late = op.LateRecordsDropped > 0 ? $"  late dropped {op.LateRecordsDropped}" : "";
            Console.WriteLine($"  {op.Name.PadRight(width)}  {op.Parallelism,3}  {op.RecordsIn,14:N0}  {op.RecordsOut,14:N0}  {watermark}{late}");
        }
    }

    private static async Task<string> SendAsync(WeirContext context, ParseResult parse, Option<string> url, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var baseAddress = parse.GetValue(url) ?? $"http://{context.Bind<HttpOptions>("Http").Listen}";
        using var client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(10) };
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(new HttpRequestMessage(method, path), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException error)
        {
            throw new CliException($"no Weir process answers at {baseAddress} ({error.Message}): start one with `weir up`, or pass --url");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new CliException(JsonDocument.Parse(body).RootElement.TryGetProperty("error", out var error) ? error.GetString()! : $"{path}: not found");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"{baseAddress}{path} answered {(int)response.StatusCode}: {body}");
            }

            return body;
        }
    }
}
