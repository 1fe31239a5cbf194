namespace Weir.Broker;

/// <summary>When appended records are forced to disk (fsync).</summary>
public enum FsyncPolicy
{
    /// <summary>
    /// Before a produce request is acknowledged (group commit: concurrent producers share one fsync). Survives a
    /// power loss; slowest.
    /// </summary>
    Always,

    /// <summary>Every <see cref="BrokerOptions.FsyncIntervalMs"/> in the background. A power loss can lose that window.</summary>
    Interval,

    /// <summary>
    /// Left to the operating system (segments are still flushed when they roll and on shutdown). A crash of the
    /// broker process loses nothing either way: acknowledged data is already in the OS page cache.
    /// </summary>
    Never,
}
