namespace Weir.Pipelines.Rtls;

/// <summary>
/// The anchors a running job solves with. Readers take <see cref="Current"/> (an immutable map) once per window;
/// writers (the anchor file watcher, the compacted anchors topic) swap in a new map. No redeploy to add an anchor.
/// </summary>
internal sealed class AnchorRegistry
{
    private readonly Lock _write = new();
    private AnchorMap _current;
    private long _version;

    public AnchorRegistry(AnchorMap initial) => _current = initial;

    public AnchorMap Current => Volatile.Read(ref _current);

    /// <summary>Bumped on every change; lets observers (logs, the feed) see that anchors moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    public event Action<AnchorMap>? Changed;

    public void Replace(AnchorMap map)
    {
        lock (_write)
        {
            Volatile.Write(ref _current, map);
            Interlocked.Increment(ref _version);
        }

        Changed?.Invoke(map);
    }

    /// <summary>Sets (position) or removes (null: a tombstone on the anchors topic) one anchor.</summary>
    public void Apply(string anchorId, Point2? position)
    {
        AnchorMap map;
        lock (_write)
        {
            map = _current.With(anchorId, position);
            Volatile.Write(ref _current, map);
            Interlocked.Increment(ref _version);
        }

        Changed?.Invoke(map);
    }
}
