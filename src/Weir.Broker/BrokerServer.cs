using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Broker.Groups;
using Weir.Broker.Network;
using Weir.Broker.Producers;
using Weir.Broker.Storage;

namespace Weir.Broker;

/// <summary>
/// Weir's embedded broker: one node that speaks the Apache Kafka wire protocol over TCP, so unmodified Kafka
/// clients (librdkafka / Confluent.Kafka, kcat, kafka-python, KafkaJS) produce to and consume from it. The log is
/// durable under <see cref="BrokerOptions.DataDirectory"/> and survives restarts and crashes.
/// </summary>
/// <example>
/// <code>
/// await using var broker = new BrokerServer(new BrokerOptions { Listen = "127.0.0.1:0", DataDirectory = dir });
/// await broker.StartAsync();
/// // point any Kafka client at broker.BootstrapServers
/// </code>
/// </example>
public sealed class BrokerServer : IAsyncDisposable
{
    private const string IdentityFile = "broker.json";
    private const string LockFile = ".lock";

    private readonly BrokerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<ClientConnection, Task> _connections = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream? _lock;
    private Socket? _listener;
    private TopicStore? _topics;
    private LogFlusher? _flusher;
    private RetentionService? _retention;
    private PageCacheTrimmer? _pageCacheTrimmer;
    private OffsetStore? _offsets;
    private GroupCoordinator? _groups;
    private BrokerMetrics? _metrics;
    private Task? _acceptLoop;
    private int _state; // 0 new, 1 started, 2 stopped

    public BrokerServer(BrokerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _log = _loggerFactory.CreateLogger("Weir.Broker");
        DataDirectory = Path.GetFullPath(options.DataDirectory);
    }

    /// <summary>Absolute path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The address the listener is bound to (the real port when <see cref="BrokerOptions.Listen"/> asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("the broker is not started");

    /// <summary><c>host:port</c> to give Kafka clients as bootstrap.servers (the advertised address).</summary>
    public string BootstrapServers { get; private set; } = "";

    /// <summary>Completes when the broker stops; faults if it stops because of an error.</summary>
    public Task Completion => _completion.Task;

    internal BrokerContext? Context { get; private set; }

    /// <summary>Opens the log (recovering it after a crash), binds the listener and starts accepting clients.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("a BrokerServer starts once; create a new one to restart");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var endpoint = ParseEndpoint(_options.Listen, nameof(BrokerOptions.Listen));
        Directory.CreateDirectory(DataDirectory);
        try
        {
            _lock = new FileStream(Path.Combine(DataDirectory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error)
        {
            throw new IOException($"the data directory {DataDirectory} is in use by another broker", error);
        }

        try
        {
            var clusterId = LoadOrCreateClusterId();
            var defaults = new LogConfig
            {
                RetentionMs = _options.RetentionMs,
                RetentionBytes = _options.RetentionBytes,
                SegmentBytes = _options.SegmentBytes,
                SegmentMs = _options.SegmentMs,
                MaxMessageBytes = _options.MaxMessageBytes,
            };
            var storageLog = _loggerFactory.CreateLogger("Weir.Broker.Storage");
            _topics = new TopicStore(Path.Combine(DataDirectory, "topics"), defaults, Math.Max(1, _options.DefaultPartitions), _time, storageLog);
            _topics.Load();
            _flusher = new LogFlusher(_topics, _options.Fsync, TimeSpan.FromMilliseconds(Math.Max(1, _options.FsyncIntervalMs)), _time, storageLog);
            var groupLog = _loggerFactory.CreateLogger("Weir.Broker.Groups");
            _offsets = OffsetStore.Open(Path.Combine(DataDirectory, "groups"), groupLog);
            _flusher.Add(_offsets);
            _groups = new GroupCoordinator(_offsets, _time, GroupSettingsFrom(_options), groupLog);
            _retention = new RetentionService(_topics, TimeSpan.FromMilliseconds(Math.Max(1, _options.RetentionCheckIntervalMs)), _time, storageLog);
            _pageCacheTrimmer = _options.PageCacheWindowBytes >= 0 ? new PageCacheTrimmer(_topics, _options.PageCacheWindowBytes, _time) : null;
            _metrics = new BrokerMetrics();

            _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(endpoint);
            _listener.Listen(512);
            var bound = (IPEndPoint)_listener.LocalEndPoint!;
            var (host, port) = Advertised(bound);
            Context = new BrokerContext
            {
                Options = _options,
                Topics = _topics,
                Flusher = _flusher,
                Groups = _groups,
                ProducerIds = new ProducerIdAllocator(DataDirectory),
                Time = _time,
                Log = _log,
                Metrics = _metrics,
                ClusterId = clusterId,
                AdvertisedHost = host,
                AdvertisedPort = port,
                Stopping = _stopping.Token,
            };
            BootstrapServers = FormatHostPort(host, port);
            _acceptLoop = AcceptLoopAsync(new RequestDispatcher(Context));
            _log.LogInformation("broker listening on {Endpoint}, advertised as {Advertised}, data in {Directory}", bound, BootstrapServers, DataDirectory);
        }
        catch
        {
            _listener?.Dispose();
            _groups?.Dispose();
            _offsets?.Dispose();
            _topics?.Dispose();
            _lock.Dispose();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, closes every connection, flushes and closes the log (a clean shutdown).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        _groups?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_retention is not null)
        {
            await _retention.DisposeAsync().ConfigureAwait(false);
        }

        if (_pageCacheTrimmer is not null)
        {
            await _pageCacheTrimmer.DisposeAsync().ConfigureAwait(false);
        }

        if (_flusher is not null)
        {
            await _flusher.DisposeAsync().ConfigureAwait(false);
        }

        _offsets?.Dispose();
        _topics?.Dispose();
        _metrics?.Dispose();
        _lock?.Dispose();
        _log.LogInformation("broker stopped");
        _completion.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal static IPEndPoint ParseEndpoint(string value, string what)
    {
        if (IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }

        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            var host = value[..colon];
            var address = Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new ArgumentException($"{what}: cannot resolve host '{host}'");
            return new IPEndPoint(address, port);
        }

        throw new ArgumentException($"{what} must be host:port, got '{value}'");
    }

    private static GroupSettings GroupSettingsFrom(BrokerOptions options) => new()
    {
        MinSessionTimeoutMs = options.GroupMinSessionTimeoutMs,
        MaxSessionTimeoutMs = options.GroupMaxSessionTimeoutMs,
        InitialRebalanceDelayMs = options.GroupInitialRebalanceDelayMs,
    };

    private static string FormatHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    private (string Host, int Port) Advertised(IPEndPoint bound)
    {
        if (!string.IsNullOrWhiteSpace(_options.AdvertisedAddress))
        {
            var value = _options.AdvertisedAddress.Trim();
            var colon = value.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                throw new ArgumentException($"{nameof(BrokerOptions.AdvertisedAddress)} must be host:port, got '{value}'");
            }

            return (value[..colon].Trim('[', ']'), port == 0 ? bound.Port : port);
        }

        var any = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any);
        return (any ? Dns.GetHostName() : bound.Address.ToString(), bound.Port);
    }

    private string LoadOrCreateClusterId()
    {
        var path = Path.Combine(DataDirectory, IdentityFile);
        if (File.Exists(path))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.TryGetProperty("clusterId", out var id) && id.GetString() is { Length: > 0 } clusterId)
            {
                return clusterId;
            }
        }

        // Kafka's cluster ids are 22 characters of URL-safe base64 (a UUID without padding).
        var created = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(new Dictionary<string, string> { ["clusterId"] = created }));
        File.Move(path + ".tmp", path, overwrite: true);
        return created;
    }

    private async Task AcceptLoopAsync(RequestDispatcher dispatcher)
    {
        var connectionLog = _loggerFactory.CreateLogger("Weir.Broker.Network");
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (SocketException error) when (error.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                {
                    continue;
                }

                var connection = new ClientConnection(socket, dispatcher, Context!, connectionLog);
                _connections[connection] = RunConnectionAsync(connection);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception error)
        {
            _log.LogCritical(error, "the broker's listener failed");
            _completion.TrySetException(error);
        }
    }

    private async Task RunConnectionAsync(ClientConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            _log.LogError(error, "connection from {Address} failed", connection.ClientAddress);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
