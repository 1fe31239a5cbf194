using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.Rtls;

/// <summary>
/// Re-reads the anchors file when it changes (checked every <c>period</c> by its time and size, which works on every
/// file system, unlike change notifications) and replaces the registry's anchors with its content. A file that does
/// not parse is reported and ignored: the anchors stay as they were.
/// </summary>
internal sealed class AnchorFileWatcher : IAsyncDisposable
{
    private readonly string _path;
    private readonly AnchorRegistry _registry;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private (DateTime Time, long Length) _seen;

    public AnchorFileWatcher(string path, AnchorRegistry registry, ILogger logger, TimeProvider clock, TimeSpan period)
    {
        _path = path;
        _registry = registry;
        _logger = logger;
        _seen = Stamp();
        _timer = clock.CreateTimer(_ => Check(), null, period, period);
    }

    /// <summary>Looks at the file now (the timer calls this too).</summary>
    public void Check()
    {
        var stamp = Stamp();
        if (stamp == _seen)
        {
            return;
        }

        _seen = stamp;
        try
        {
            var anchors = AnchorMap.Load(_path);
            _registry.Replace(anchors);
            _logger.LogInformation("anchors reloaded from {Path}: {Anchors}", _path, string.Join(", ", anchors.Ids.Order(StringComparer.Ordinal)));
        }
        catch (Exception error) when (error is FormatException or IOException)
        {
            _logger.LogWarning("anchors file {Path} not applied: {Reason}", _path, error.Message);
        }
    }

    private (DateTime, long) Stamp()
    {
        var file = new FileInfo(_path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
