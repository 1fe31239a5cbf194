using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Weir.Broker.Groups;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Tests.Groups;

/// <summary>The group state machine with a controllable clock: no sleeps, timers fire when the test advances time.</summary>
public sealed class ConsumerGroupTests : IDisposable
{
    private const int SessionMs = 10_000;
    private const int RebalanceMs = 30_000;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
    private readonly ConsumerGroup _group;

    public ConsumerGroupTests()
    {
        _group = new ConsumerGroup("g", _time, new GroupSettings { PendingJoinGraceMs = 1000 }, NullLogger.Instance);
    }

    public void Dispose() => _group.Dispose();

    [Fact]
    public async Task A_v4_join_without_member_id_gets_MEMBER_ID_REQUIRED_then_joins_as_leader()
    {
        var first = await _group.Join(Request(""), 5, "client", "/127.0.0.1");

        Assert.Equal(ErrorCode.MemberIdRequired, first.ErrorCode);
        Assert.StartsWith("client-", first.MemberId, StringComparison.Ordinal);

        var joined = await _group.Join(Request(first.MemberId), 5, "client", "/127.0.0.1");

        Assert.Equal(ErrorCode.None, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(first.MemberId, joined.Leader);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal([first.MemberId], joined.Members.Select(m => m.MemberId));
        Assert.Equal(GroupState.CompletingRebalance, _group.State);
    }

    [Fact]
    public async Task A_v3_join_without_member_id_is_admitted_at_once()
    {
        var joined = await _group.Join(Request(""), 2, "kafka-python", "/127.0.0.1");

        Assert.Equal(ErrorCode.None, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
    }

    [Fact]
    public async Task A_pending_member_that_never_returns_expires()
    {
        var first = await _group.Join(Request(""), 5, "client", "/h");

        _time.Advance(TimeSpan.FromMilliseconds(SessionMs + 1));
        var late = await _group.Join(Request(first.MemberId), 5, "client", "/h");

        Assert.Equal(ErrorCode.UnknownMemberId, late.ErrorCode);
    }

    [Fact]
    public async Task A_second_member_triggers_a_rebalance_that_the_first_learns_from_its_heartbeat()
    {
        var a = await JoinAndSync("a");
        var pendingB = _group.Join(Request(await NewMemberId("b")), 5, "b", "/h");
        Assert.False(pendingB.IsCompleted);
        Assert.Equal(GroupState.PreparingRebalance, _group.State);

        Assert.Equal(ErrorCode.RebalanceInProgress, _group.Heartbeat(Heartbeat(a, 1)));

        var aJoin = await _group.Join(Request(a), 5, "a", "/h");
        var bJoin = await pendingB;
        Assert.Equal(2, aJoin.GenerationId);
        Assert.Equal(2, bJoin.GenerationId);
        Assert.Equal(a, aJoin.Leader);
        Assert.Equal(2, aJoin.Members.Count);
        Assert.Empty(bJoin.Members);

        var bSync = _group.Sync(Sync(bJoin.MemberId, 2));
        Assert.False(bSync.IsCompleted);
        var aSync = await _group.Sync(Sync(a, 2, (a, [1]), (bJoin.MemberId, [2])));

        Assert.Equal([1], aSync.Assignment);
        Assert.Equal([2], (await bSync).Assignment);
        Assert.Equal(GroupState.Stable, _group.State);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_its_session_timeout()
    {
        var (a, b) = await TwoStableMembers();

        for (var elapsed = 0; elapsed < SessionMs; elapsed += 2000)
        {
            Assert.Equal(ErrorCode.None, _group.Heartbeat(Heartbeat(a, 2)));
            _time.Advance(TimeSpan.FromMilliseconds(2000));
        }

        Assert.Equal(GroupState.PreparingRebalance, _group.State);
        Assert.Equal(ErrorCode.RebalanceInProgress, _group.Heartbeat(Heartbeat(a, 2)));
        var rejoined = await _group.Join(Request(a), 5, "a", "/h");
        Assert.Equal(3, rejoined.GenerationId);
        Assert.Single(rejoined.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Heartbeat(Heartbeat(b, 3)));
    }

    [Fact]
    public async Task Heartbeats_during_a_rebalance_keep_a_slow_joiner_alive_until_the_rebalance_timeout()
    {
        var (a, b) = await TwoStableMembers();
        var pendingC = _group.Join(Request(await NewMemberId("c")), 5, "c", "/h");
        var aJoin = _group.Join(Request(a), 5, "a", "/h");

        // b keeps heartbeating (answered REBALANCE_IN_PROGRESS) but does not rejoin for longer than its session.
        for (var elapsed = 0; elapsed < SessionMs * 2; elapsed += 2000)
        {
            Assert.Equal(ErrorCode.RebalanceInProgress, _group.Heartbeat(Heartbeat(b, 2)));
            _time.Advance(TimeSpan.FromMilliseconds(2000));
        }

        Assert.False(aJoin.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(RebalanceMs));

        var joined = await aJoin;
        Assert.Equal(3, joined.GenerationId);
        Assert.Equal(2, joined.Members.Count);
        Assert.DoesNotContain(joined.Members, m => m.MemberId == b);
        Assert.Equal(ErrorCode.None, (await pendingC).ErrorCode);
    }

    [Fact]
    public async Task Leaving_rebalances_the_rest()
    {
        var (a, b) = await TwoStableMembers();

        Assert.Equal(ErrorCode.None, _group.Leave(b));

        Assert.Equal(GroupState.PreparingRebalance, _group.State);
        var rejoined = await _group.Join(Request(a), 5, "a", "/h");
        Assert.Equal(3, rejoined.GenerationId);
        Assert.Single(rejoined.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Leave("nobody"));
    }

    [Fact]
    public async Task The_last_member_leaving_empties_the_group()
    {
        var a = await JoinAndSync("a");

        _group.Leave(a);

        Assert.Equal(GroupState.Empty, _group.State);
        Assert.Equal(0, _group.MemberCount);
    }

    [Fact]
    public async Task A_leader_that_never_syncs_is_dropped_after_the_rebalance_timeout()
    {
        var a = await NewMemberId("a");
        await _group.Join(Request(a), 5, "a", "/h");
        Assert.Equal(GroupState.CompletingRebalance, _group.State);

        _time.Advance(TimeSpan.FromMilliseconds(RebalanceMs + 1));

        Assert.Equal(GroupState.Empty, _group.State);
    }

    [Fact]
    public async Task Offset_commits_are_checked_against_membership_and_generation()
    {
        Assert.Equal(ErrorCode.None, _group.ValidateCommit(-1, ""));

        var (a, _) = await TwoStableMembers();

        Assert.Equal(ErrorCode.None, _group.ValidateCommit(2, a));
        Assert.Equal(ErrorCode.IllegalGeneration, _group.ValidateCommit(1, a));
        Assert.Equal(ErrorCode.UnknownMemberId, _group.ValidateCommit(2, "stranger"));
        Assert.Equal(ErrorCode.UnknownMemberId, _group.ValidateCommit(-1, ""));
    }

    [Fact]
    public async Task Commits_during_the_sync_phase_are_told_to_wait()
    {
        var a = await NewMemberId("a");
        await _group.Join(Request(a), 5, "a", "/h");

        Assert.Equal(ErrorCode.RebalanceInProgress, _group.ValidateCommit(1, a));
    }

    [Fact]
    public async Task Members_must_share_a_protocol()
    {
        await JoinAndSync("a");

        var stranger = await _group.Join(Request("", protocols: ["sticky"]), 2, "x", "/h");
        var badType = await _group.Join(Request("", protocolType: "connect"), 2, "x", "/h");

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, stranger.ErrorCode);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, badType.ErrorCode);
    }

    [Fact]
    public async Task Session_timeouts_outside_the_broker_limits_are_refused()
    {
        var tooShort = await _group.Join(Request("", sessionMs: 1000), 5, "x", "/h");

        Assert.Equal(ErrorCode.InvalidSessionTimeout, tooShort.ErrorCode);
    }

    [Fact]
    public async Task The_protocol_most_members_prefer_wins()
    {
        var a = await NewMemberId("a");
        var b = await NewMemberId("b");
        var c = await NewMemberId("c");
        var joins = new[]
        {
            _group.Join(Request(a, protocols: ["range", "roundrobin"]), 5, "a", "/h"),
            _group.Join(Request(b, protocols: ["roundrobin", "range"]), 5, "b", "/h"),
            _group.Join(Request(c, protocols: ["roundrobin", "range"]), 5, "c", "/h"),
        };
        _time.Advance(TimeSpan.FromMilliseconds(1001));
        var first = await joins[0];
        var a2 = _group.Join(Request(a, protocols: ["range", "roundrobin"]), 5, "a", "/h");
        var b2 = _group.Join(Request(b, protocols: ["roundrobin", "range"]), 5, "b", "/h");
        var c2 = _group.Join(Request(c, protocols: ["roundrobin", "range"]), 5, "c", "/h");

        Assert.Equal(1, first.GenerationId);
        Assert.Equal("roundrobin", (await a2).ProtocolName);
        Assert.Equal((await b2).GenerationId, (await c2).GenerationId);
    }

    [Fact]
    public async Task A_new_member_id_holds_the_join_phase_only_for_a_short_grace()
    {
        var a = await JoinAndSync("a");
        await NewMemberId("b"); // handed out, never used

        var rejoin = _group.Join(Request(a), 5, "a", "/h");
        Assert.False(rejoin.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1001));

        Assert.Equal(ErrorCode.None, (await rejoin).ErrorCode);
    }

    [Fact]
    public async Task Describe_reports_members_and_assignments()
    {
        var (a, b) = await TwoStableMembers();

        var described = _group.Describe();

        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("consumer", described.ProtocolType);
        Assert.Equal("range", described.ProtocolData);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), described.Members.Select(m => m.MemberId).Order(StringComparer.Ordinal));
        Assert.Contains(described.Members, m => m.MemberAssignment.SequenceEqual(new byte[] { 1 }));
    }

    [Fact]
    public async Task A_static_member_that_restarts_replaces_and_fences_its_earlier_incarnation_at_once()
    {
        var (a, b) = await TwoStableMembers();
        var staticJoin = Request("");
        staticJoin.GroupInstanceId = "instance-1";
        var first = await StaticJoinAndSync(staticJoin, a, b);

        // The process restarts without LeaveGroup and joins with an empty member id: no MEMBER_ID_REQUIRED round
        // trip, and no waiting for the old member's session timeout.
        var restarted = _group.Join(staticJoin, 5, "static", "/h");
        Assert.Equal(GroupState.PreparingRebalance, _group.State);
        Assert.Equal(ErrorCode.FencedInstanceId, _group.Heartbeat(Heartbeat(first.MemberId, first.GenerationId)));
        Assert.Equal(ErrorCode.FencedInstanceId, _group.ValidateCommit(first.GenerationId, first.MemberId));
        Assert.Equal(ErrorCode.FencedInstanceId, (await _group.Join(Request(first.MemberId), 5, "static", "/h")).ErrorCode);
        var aJoin = _group.Join(Request(a), 5, "a", "/h");
        var bJoin = _group.Join(Request(b), 5, "b", "/h");
        var second = await restarted;
        Assert.Equal(ErrorCode.None, second.ErrorCode);
        Assert.NotEqual(first.MemberId, second.MemberId);
        Assert.Equal(3, (await aJoin).Members.Count);
        await bJoin;

        // LeaveGroup v3 may name a static member by its instance id alone.
        Assert.Equal(ErrorCode.None, _group.Leave("", "instance-1"));
        Assert.Equal(ErrorCode.UnknownMemberId, _group.Heartbeat(Heartbeat(second.MemberId, second.GenerationId)));
    }

    private async Task<JoinGroupResponse> StaticJoinAndSync(JoinGroupRequest staticJoin, string a, string b)
    {
        var joining = _group.Join(staticJoin, 5, "static", "/h");
        var aJoin = _group.Join(Request(a), 5, "a", "/h");
        var bJoin = _group.Join(Request(b), 5, "b", "/h");
        var joined = await joining;
        Assert.Equal(ErrorCode.None, joined.ErrorCode);
        var leader = await aJoin;
        await bJoin;
        var syncs = new[] { _group.Sync(Sync(joined.MemberId, joined.GenerationId)), _group.Sync(Sync(b, joined.GenerationId)) };
        await _group.Sync(Sync(a, leader.GenerationId, (a, [1]), (b, [2]), (joined.MemberId, [3])));
        Assert.Equal([3], (await syncs[0]).Assignment);
        await syncs[1];
        Assert.Equal(GroupState.Stable, _group.State);
        return joined;
    }

    private static JoinGroupRequest Request(string memberId, string[]? protocols = null, string protocolType = "consumer", int sessionMs = SessionMs) => new()
    {
        GroupId = "g",
        MemberId = memberId,
        SessionTimeoutMs = sessionMs,
        RebalanceTimeoutMs = RebalanceMs,
        ProtocolType = protocolType,
        Protocols = [.. (protocols ?? ["range"]).Select(p => new JoinGroupProtocol(p, [9]))],
    };

    private static HeartbeatRequest Heartbeat(string memberId, int generation) => new() { GroupId = "g", MemberId = memberId, GenerationId = generation };

    private static SyncGroupRequest Sync(string memberId, int generation, params (string Member, byte[] Assignment)[] assignments) => new()
    {
        GroupId = "g",
        MemberId = memberId,
        GenerationId = generation,
        Assignments = [.. assignments.Select(a => new SyncGroupAssignment(a.Member, a.Assignment))],
    };

    private async Task<string> NewMemberId(string client) => (await _group.Join(Request(""), 5, client, "/h")).MemberId;

    private async Task<string> JoinAndSync(string client)
    {
        var id = await NewMemberId(client);
        _time.Advance(TimeSpan.FromMilliseconds(1001));
        var joined = await _group.Join(Request(id), 5, client, "/h");
        Assert.Equal(ErrorCode.None, joined.ErrorCode);
        await _group.Sync(Sync(id, joined.GenerationId, (id, [1])));
        return id;
    }

    private async Task<(string A, string B)> TwoStableMembers()
    {
        var a = await JoinAndSync("a");
        var b = await NewMemberId("b");
        var bJoin = _group.Join(Request(b), 5, "b", "/h");
        var aJoin = await _group.Join(Request(a), 5, "a", "/h");
        await bJoin;
        var bSync = _group.Sync(Sync(b, aJoin.GenerationId));
        await _group.Sync(Sync(a, aJoin.GenerationId, (a, [1]), (b, [2])));
        await bSync;
        Assert.Equal(GroupState.Stable, _group.State);
        Assert.Equal(2, aJoin.GenerationId);
        return (a, b);
    }
}
