namespace Weir.Pipelines.Rtls;

/// <summary>What the liveness watch knows about one anchor (kept in keyed state, key = anchor id).</summary>
internal sealed class AnchorLivenessState
{
    /// <summary>Event time of the newest heartbeat, or long.MinValue before the first.</summary>
    public long LastSeenMs { get; set; } = long.MinValue;

    /// <summary>True once a "dead" record went out and no heartbeat has come since.</summary>
    public bool Dead { get; set; }
}

/// <summary>A change of an anchor's liveness, written to <c>out_alive</c>.</summary>
internal readonly record struct AliveChange(string AnchorId, bool Alive, long LastSeenMs, long TimestampMs);

/// <summary>
/// Anchor liveness from heartbeats, by event time: an anchor is dead when event time (the watermark) passes
/// its last heartbeat plus the timeout with no newer heartbeat; one record says so, and one more says it is back
/// when the next heartbeat arrives. The original documented the alert but not the rule; this is the rule.
/// </summary>
internal sealed class AnchorLiveness(long timeoutMs)
{
    public long TimeoutMs { get; } = timeoutMs > 0 ? timeoutMs : throw new ArgumentOutOfRangeException(nameof(timeoutMs), "the liveness timeout must be positive");

    /// <summary>
    /// A heartbeat at <paramref name="timestampMs"/>. Returns the event time to set a timer for (or null when the
    /// heartbeat is older than one already seen). Adds to <paramref name="changes"/> the "back alive" record when the
    /// anchor had been reported dead, and, when the heartbeat ends a silence longer than the timeout that no timer
    /// reported (event time jumped over it: a backlog read in one batch), the "dead" record first.
    /// </summary>
    public long? OnHeartbeat(AnchorLivenessState state, string anchorId, long timestampMs, List<AliveChange> changes)
    {
        if (timestampMs <= state.LastSeenMs)
        {
            return null;
        }

        if (!state.Dead && state.LastSeenMs != long.MinValue && timestampMs > state.LastSeenMs + TimeoutMs)
        {
            changes.Add(new AliveChange(anchorId, false, state.LastSeenMs, state.LastSeenMs + TimeoutMs));
            state.Dead = true;
        }

        state.LastSeenMs = timestampMs;
        if (state.Dead)
        {
            state.Dead = false;
            changes.Add(new AliveChange(anchorId, true, timestampMs, timestampMs));
        }

        return timestampMs + TimeoutMs;
    }

    /// <summary>An event-time timer fired at <paramref name="timerMs"/>: the anchor is dead if nothing came since.</summary>
    public AliveChange? OnTimer(AnchorLivenessState state, string anchorId, long timerMs)
    {
        if (state.Dead || state.LastSeenMs == long.MinValue || timerMs < state.LastSeenMs + TimeoutMs)
        {
            return null; // a newer heartbeat re-armed the watch, or the alert already went out
        }

        state.Dead = true;
        return new AliveChange(anchorId, false, state.LastSeenMs, state.LastSeenMs + TimeoutMs);
    }
}
