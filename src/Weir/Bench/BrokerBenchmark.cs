using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Weir.Broker;

namespace Weir.Cli.Bench;

/// <summary>
/// `weir bench broker`: produce and consume throughput through Weir's broker with one Confluent.Kafka producer
/// and consumer (100 B and 1 KiB records, acks=1 and acks=all), four consumers reading the same 256 KiB records
/// from the page cache (fan-out), produce latency at a fixed rate, and in the same
/// run a raw loopback TCP copy between two sockets as the ceiling every throughput figure is divided by. The
/// broker runs as a `weir broker` child process, so its CPU time per record is reported apart from the clients'.
/// </summary>
internal static class BrokerBenchmark
{
    public sealed record Options(string DataDirectory, long SmallRecords, long LargeRecords, int LatencyRate, int LatencySeconds, string? Bootstrap, int FanOutPasses);

    private const int FanOutConsumers = 4;
    private const int FanOutValueBytes = 256 * 1024;
    private const int FanOutRecords = 192; // 48 MiB: inside the broker's default 64 MiB page-cache window

    private sealed record Row(string Case, long Records, int ValueBytes, TimeSpan Elapsed, TimeSpan Cpu, TimeSpan BrokerCpu = default)
    {
        public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

        public double MegabytesPerSecond => Records * (double)ValueBytes / Elapsed.TotalSeconds / 1e6;

        public double CpuMicrosPerRecord => Cpu.TotalMilliseconds * 1000 / Records;

        public double BrokerCpuMicrosPerRecord => BrokerCpu.TotalMilliseconds * 1000 / Records;
    }

    public static async Task<string> RunAsync(Options options, TextWriter progress, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        var ceiling = MeasureLoopbackCeiling(2L << 30);
        await progress.WriteLineAsync(FormattableString.Invariant($"raw loopback TCP copy: {ceiling:0} MB/s")).ConfigureAwait(false);

        foreach (var (fsync, acks, valueBytes, records) in new (FsyncPolicy, Acks, int, long)[]
        {
            (FsyncPolicy.Interval, Acks.Leader, 100, options.SmallRecords),
            (FsyncPolicy.Interval, Acks.All, 100, options.SmallRecords),
            (FsyncPolicy.Interval, Acks.Leader, 1024, options.LargeRecords),
            (FsyncPolicy.Interval, Acks.All, 1024, options.LargeRecords),
            (FsyncPolicy.Always, Acks.All, 100, options.SmallRecords),
        })
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var broker = await StartAsync(options, fsync).ConfigureAwait(false);
            var bootstrap = options.Bootstrap ?? broker!.Bootstrap;
            var topic = $"bench-{valueBytes}-{acks}-{fsync}-{Guid.NewGuid():N}".ToLowerInvariant();
            await CreateTopicAsync(bootstrap, topic).ConfigureAwait(false);
            var acksName = acks == Acks.All ? "all" : "1";
            var brokerCpu = broker?.CpuTime ?? TimeSpan.Zero;
            var produced = Produce(bootstrap, topic, records, valueBytes, acks);
            rows.Add(produced with { Case = $"produce {valueBytes} B, acks={acksName}, fsync {fsync}", BrokerCpu = (broker?.CpuTime ?? TimeSpan.Zero) - brokerCpu });
            await progress.WriteLineAsync(Describe(rows[^1], ceiling)).ConfigureAwait(false);
            if (acks == Acks.Leader && fsync == FsyncPolicy.Interval)
            {
                brokerCpu = broker?.CpuTime ?? TimeSpan.Zero;
                var consumed = Consume(bootstrap, topic, records, valueBytes);
                rows.Add(consumed with { Case = $"consume {valueBytes} B", BrokerCpu = (broker?.CpuTime ?? TimeSpan.Zero) - brokerCpu });
                await progress.WriteLineAsync(Describe(rows[^1], ceiling)).ConfigureAwait(false);
                if (await ConsumeWithKcatAsync(bootstrap, topic, records, valueBytes).ConfigureAwait(false) is { } kcat)
                {
                    rows.Add(kcat);
                    await progress.WriteLineAsync(Describe(rows[^1], ceiling)).ConfigureAwait(false);
                }
            }
        }

        if (options.FanOutPasses > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var broker = await StartAsync(options, FsyncPolicy.Interval).ConfigureAwait(false);
            var bootstrap = options.Bootstrap ?? broker!.Bootstrap;
            var topic = $"bench-fanout-{Guid.NewGuid():N}";
            await CreateTopicAsync(bootstrap, topic).ConfigureAwait(false);
            Produce(bootstrap, topic, FanOutRecords, FanOutValueBytes, Acks.All);
            var brokerCpu = broker?.CpuTime ?? TimeSpan.Zero;
            var fanOut = FanOut(bootstrap, topic, options.FanOutPasses);
            rows.Add(fanOut with { BrokerCpu = (broker?.CpuTime ?? TimeSpan.Zero) - brokerCpu });
            await progress.WriteLineAsync(Describe(rows[^1], ceiling)).ConfigureAwait(false);
        }

        string latency;
        await using (var broker = await StartAsync(options, FsyncPolicy.Interval).ConfigureAwait(false))
        {
            var bootstrap = options.Bootstrap ?? broker!.Bootstrap;
            var topic = $"bench-latency-{Guid.NewGuid():N}";
            await CreateTopicAsync(bootstrap, topic).ConfigureAwait(false);
            latency = MeasureLatency(bootstrap, topic, options.LatencyRate, options.LatencySeconds);
            await progress.WriteLineAsync(latency).ConfigureAwait(false);
            var baseline = MeasureLoopbackLatency(options.LatencyRate, options.LatencySeconds);
            await progress.WriteLineAsync(baseline).ConfigureAwait(false);
            latency += Environment.NewLine + Environment.NewLine + baseline;
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Raw loopback TCP copy (ceiling): {ceiling:0} MB/s");
        report.AppendLine();
        report.AppendLine("| case | records | records/s | MB/s (values) | share of TCP ceiling | broker CPU µs/record | client CPU µs/record |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Case} | {row.Records:N0} | {row.RecordsPerSecond:N0} | {row.MegabytesPerSecond:0.0} | {row.MegabytesPerSecond / ceiling:P1} | {row.BrokerCpuMicrosPerRecord:0.00} | {row.CpuMicrosPerRecord:0.00} |");
        }

        report.AppendLine();
        report.AppendLine(latency);
        return report.ToString();
    }

    private static string Describe(Row row, double ceiling) => string.Create(CultureInfo.InvariantCulture,
        $"{row.Case}: {row.RecordsPerSecond:N0} records/s, {row.MegabytesPerSecond:0.0} MB/s ({row.MegabytesPerSecond / ceiling:P1} of TCP), CPU µs/record broker {row.BrokerCpuMicrosPerRecord:0.00}, client {row.CpuMicrosPerRecord:0.00}");

    private static async Task<BrokerProcess?> StartAsync(Options options, FsyncPolicy fsync) =>
        options.Bootstrap is null
            ? await BrokerProcess.StartAsync(Path.Combine(options.DataDirectory, Guid.NewGuid().ToString("N")), fsync.ToString()).ConfigureAwait(false)
            : null;

    private static async Task CreateTopicAsync(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]).ConfigureAwait(false);
    }

    /// <summary>Two sockets on 127.0.0.1, one writing 64 KiB buffers and the other reading them: what the loopback can carry.</summary>
    private static double MeasureLoopbackCeiling(long bytes)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sender.Connect(listener.LocalEndPoint!);
        using var receiver = listener.Accept();
        var stopwatch = Stopwatch.StartNew();
        var reading = Task.Run(() =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            while (total < bytes)
            {
                var n = receiver.Receive(buffer);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        });
        var chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            sender.Send(chunk);
        }

        reading.Wait();
        return bytes / stopwatch.Elapsed.TotalSeconds / 1e6;
    }

    private static Row Produce(string bootstrap, string topic, long records, int valueBytes, Acks acks)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = acks,
            LingerMs = 5,
            BatchSize = 1_000_000,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 1_000_000,
            DeliveryReportFields = "none",
        };
        var value = new byte[valueBytes];
        Random.Shared.NextBytes(value);
        var message = new Message<Null, byte[]> { Value = value };
        var partition = new TopicPartition(topic, 0);
        long delivered = 0, failed = 0;
        void OnDelivered(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        }

        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        producer.ProduceAsync(partition, message).GetAwaiter().GetResult(); // connect and warm up outside the timing
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; i < records; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, OnDelivered);
                    break;
                }
                catch (ProduceException<Null, byte[]> error) when (error.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
        }

        producer.Flush();
        var elapsed = stopwatch.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (failed > 0 || delivered != records)
        {
            throw new InvalidOperationException($"{failed} of {records} records failed to deliver");
        }

        return new Row("produce", records, valueBytes, elapsed, used);
    }

    private static Row Consume(string bootstrap, string topic, long records, int valueBytes)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench",
            EnableAutoCommit = false,
            // Only the value is marshalled to .NET (topic, headers and timestamps cost about 4x per record);
            // fetch sizes stay at librdkafka's defaults, which read faster here than very large fetches.
            ConsumeResultFields = "none",
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();

        // The warm-up record produced before the timed ones is read too.
        long seen = 0;
        while (seen < records + 1)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"consumer stalled after {seen} records");
            if (result.Message.Value.Length != valueBytes)
            {
                throw new InvalidOperationException("a record came back with the wrong size");
            }

            seen++;
        }

        return new Row("consume", records, valueBytes, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>
    /// Several consumers reading the same large records from the page cache at once, each the whole topic
    /// <paramref name="passes"/> times: the case where a broker's cost per byte sent shows (Kafka sends such reads with
    /// sendfile; see <c>BrokerOptions.SendFileMinBatchBytes</c>).
    /// </summary>
    private static Row FanOut(string bootstrap, string topic, int passes)
    {
        // The warm-up record Produce sends first is read too: FanOutRecords + 1 per pass.
        var perPass = FanOutRecords + 1;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var readers = Enumerable.Range(0, FanOutConsumers).Select(reader => Task.Factory.StartNew(
            () =>
            {
                using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
                {
                    BootstrapServers = bootstrap,
                    GroupId = $"fanout-{reader}",
                    EnableAutoCommit = false,
                    ConsumeResultFields = "none",
                }).Build();
                for (var pass = 0; pass < passes; pass++)
                {
                    consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
                    for (var seen = 0; seen < perPass; seen++)
                    {
                        var result = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"fan-out reader {reader} stalled in pass {pass} after {seen} records");
                        if (result.Message.Value.Length != FanOutValueBytes)
                        {
                            throw new InvalidOperationException("a record came back with the wrong size");
                        }
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        Task.WaitAll(readers);
        var records = (long)FanOutConsumers * passes * perPass;
        return new Row($"fan-out: {FanOutConsumers} consumers read {FanOutValueBytes / 1024} KiB records from the page cache", records, FanOutValueBytes, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>
    /// The same read with kcat (librdkafka in C, no .NET marshalling per record), when it is installed: it shows how
    /// much of the consume figure is the client's per-record cost rather than the broker's. Its CPU is not measured.
    /// </summary>
    private static async Task<Row?> ConsumeWithKcatAsync(string bootstrap, string topic, long records, int valueBytes)
    {
        if (!File.Exists("/usr/bin/kcat"))
        {
            return null;
        }

        var info = new ProcessStartInfo("/usr/bin/kcat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o\n"])
        {
            info.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync();
        string? last = null;
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            last = line;
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        var elapsed = stopwatch.Elapsed;
        return last == records.ToString(CultureInfo.InvariantCulture)
            ? new Row($"consume {valueBytes} B with kcat (C client)", records, valueBytes, elapsed, TimeSpan.Zero)
            : throw new InvalidOperationException($"kcat stopped at offset {last}, expected {records}");
    }

    /// <summary>
    /// The latency baseline: 100-byte requests at the same rate over a loopback socket to a thread that answers each
    /// with 8 bytes. Its tail shows what the machine's scheduling alone adds.
    /// </summary>
    private static string MeasureLoopbackLatency(int rate, int seconds)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        server.NoDelay = true;
        var total = rate * seconds;
        var sentAt = new long[total];
        var latencies = new double[total];
        var frequency = (double)Stopwatch.Frequency;
        var echo = new Thread(() =>
        {
            var request = new byte[100];
            var answer = new byte[8];
            for (var i = 0; i < total; i++)
            {
                for (var got = 0; got < request.Length;)
                {
                    got += server.Receive(request, got, request.Length - got, SocketFlags.None);
                }

                server.Send(answer);
            }
        });
        var reader = new Thread(() =>
        {
            var answer = new byte[8];
            for (var i = 0; i < total; i++)
            {
                for (var got = 0; got < answer.Length;)
                {
                    got += client.Receive(answer, got, answer.Length - got, SocketFlags.None);
                }

                latencies[i] = (Stopwatch.GetTimestamp() - sentAt[i]) * 1000 / frequency;
            }
        });
        echo.Start();
        reader.Start();
        var message = new byte[100];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * frequency / rate);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(20);
            }

            sentAt[i] = Stopwatch.GetTimestamp();
            client.Send(message);
        }

        reader.Join();
        echo.Join();
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(total - 1, (int)(p * total))];
        return string.Create(CultureInfo.InvariantCulture,
            $"Baseline, raw loopback request/answer at {rate:N0}/s for {seconds} s: p50 {Percentile(0.50):0.00} ms, p99 {Percentile(0.99):0.00} ms, p99.9 {Percentile(0.999):0.00} ms, max {latencies[^1]:0.00} ms");
    }

    /// <summary>Produce latency (Produce call to delivery report, acks=1, linger 0) at a fixed rate.</summary>
    private static string MeasureLatency(string bootstrap, string topic, int rate, int seconds)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.Leader, LingerMs = 0, DeliveryReportFields = "none" };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var value = new byte[100];
        var partition = new TopicPartition(topic, 0);
        producer.ProduceAsync(partition, new Message<Null, byte[]> { Value = value }).GetAwaiter().GetResult();
        var total = rate * seconds;
        var latencies = new double[total];
        var frequency = (double)Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * frequency / rate);
            while (Stopwatch.GetTimestamp() < due)
            {
                Thread.SpinWait(20);
            }

            var index = i;
            var sentAt = Stopwatch.GetTimestamp();
            producer.Produce(partition, new Message<Null, byte[]> { Value = value }, _ => latencies[index] = (Stopwatch.GetTimestamp() - sentAt) * 1000 / frequency);
        }

        producer.Flush();
        var achieved = total / ((Stopwatch.GetTimestamp() - start) / frequency);
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(total - 1, (int)(p * total))];
        return string.Create(CultureInfo.InvariantCulture,
            $"Produce latency at {rate:N0} records/s for {seconds} s (achieved {achieved:N0}/s; 100 B, acks=1, linger 0): p50 {Percentile(0.50):0.00} ms, p99 {Percentile(0.99):0.00} ms, p99.9 {Percentile(0.999):0.00} ms, max {latencies[^1]:0.00} ms");
    }
}
