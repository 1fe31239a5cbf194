namespace Weir.Broker.Groups;

/// <summary>Coordinator limits (Kafka's group.* broker settings).</summary>
internal sealed record GroupSettings
{
    /// <summary>group.min.session.timeout.ms.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>group.max.session.timeout.ms.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>group.initial.rebalance.delay.ms: Kafka waits 3 s for more members of a new group; an embedded broker does not.</summary>
    public int InitialRebalanceDelayMs { get; init; }

    /// <summary>
    /// How long a member id handed out with MEMBER_ID_REQUIRED holds up the join phase. Clients come back with
    /// it within milliseconds; a lost one must not stall the group for a whole session timeout
    /// (confluentinc/librdkafka#5570), so after this it no longer blocks (it may still join later).
    /// </summary>
    public int PendingJoinGraceMs { get; init; } = 1000;
}
