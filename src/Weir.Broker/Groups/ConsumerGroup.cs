using Microsoft.Extensions.Logging;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Groups;

/// <summary>
/// The classic group protocol for one group (research note section 4; apache/kafka GroupCoordinator.scala):
/// Empty → PreparingRebalance → CompletingRebalance → Stable, with generations, the JoinGroup v4+
/// MEMBER_ID_REQUIRED round trip and its pending members, parked JoinGroup/SyncGroup answers, and one timer
/// (from the <see cref="TimeProvider"/>) that drives session expiry, the rebalance timeout, the sync timeout
/// and pending-member expiry. Every method runs under the group's lock.
/// </summary>
internal sealed class ConsumerGroup : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly GroupSettings _settings;
    private readonly ILogger _log;
    private readonly ITimer _timer;
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingMember> _pending = new(StringComparer.Ordinal);

    /// <summary>Member ids replaced by a newer incarnation of the same static member (KIP-345): fenced for good.</summary>
    private readonly HashSet<string> _fenced = new(StringComparer.Ordinal);
    private long _joinDeadlineMs;
    private long _syncDeadlineMs;
    private bool _disposed;

    public ConsumerGroup(string groupId, TimeProvider time, GroupSettings settings, ILogger log)
    {
        GroupId = groupId;
        _time = time;
        _settings = settings;
        _log = log;
        _timer = time.CreateTimer(static state => ((ConsumerGroup)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string GroupId { get; }

    public GroupState State { get; private set; } = GroupState.Empty;

    public int Generation { get; private set; }

    public string ProtocolType { get; private set; } = "";

    public string? Protocol { get; private set; }

    public string? Leader { get; private set; }

    public int MemberCount
    {
        get
        {
            lock (_lock)
            {
                return _members.Count;
            }
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task<JoinGroupResponse> Join(JoinGroupRequest request, short version, string clientId, string clientHost)
    {
        lock (_lock)
        {
            if (_disposed || State == GroupState.Dead)
            {
                return Task.FromResult(JoinError(ErrorCode.NotCoordinator, request.MemberId));
            }

            if (request.SessionTimeoutMs < _settings.MinSessionTimeoutMs || request.SessionTimeoutMs > _settings.MaxSessionTimeoutMs)
            {
                return Task.FromResult(JoinError(ErrorCode.InvalidSessionTimeout, request.MemberId));
            }

            if (!IsCompatible(request))
            {
                return Task.FromResult(JoinError(ErrorCode.InconsistentGroupProtocol, request.MemberId));
            }

            if (_fenced.Contains(request.MemberId))
            {
                return Task.FromResult(JoinError(ErrorCode.FencedInstanceId, request.MemberId));
            }

            if (request.MemberId.Length == 0 || _pending.ContainsKey(request.MemberId))
            {
                FenceEarlierIncarnation(request.GroupInstanceId);
            }

            Task<JoinGroupResponse> result;
            if (request.MemberId.Length == 0)
            {
                var memberId = $"{clientId}-{Guid.NewGuid():D}";
                if (version >= 4 && request.GroupInstanceId is null)
                {
                    // KIP-394: the client must come back with this id; until then it is a pending member.
                    var now = NowMs;
                    _pending[memberId] = new PendingMember(now + request.SessionTimeoutMs, now + _settings.PendingJoinGraceMs);
                    result = Task.FromResult(JoinError(ErrorCode.MemberIdRequired, memberId));
                }
                else
                {
                    result = AddMemberAndRebalance(request, memberId, clientId, clientHost);
                }
            }
            else if (_pending.Remove(request.MemberId))
            {
                result = AddMemberAndRebalance(request, request.MemberId, clientId, clientHost);
            }
            else if (_members.TryGetValue(request.MemberId, out var member))
            {
                result = Rejoin(member, request);
            }
            else
            {
                result = Task.FromResult(JoinError(ErrorCode.UnknownMemberId, request.MemberId));
            }

            Reschedule();
            return result;
        }
    }

    public Task<SyncGroupResponse> Sync(SyncGroupRequest request)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return Task.FromResult(new SyncGroupResponse { ErrorCode = ErrorCode.NotCoordinator });
            }

            if (!_members.TryGetValue(request.MemberId, out var member))
            {
                return Task.FromResult(new SyncGroupResponse { ErrorCode = UnknownOrFenced(request.MemberId) });
            }

            if (request.GenerationId != Generation)
            {
                return Task.FromResult(new SyncGroupResponse { ErrorCode = ErrorCode.IllegalGeneration });
            }

            switch (State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(new SyncGroupResponse { ErrorCode = ErrorCode.RebalanceInProgress });
                case GroupState.Stable:
                    member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
                    return Task.FromResult(new SyncGroupResponse { Assignment = member.Assignment });
                case GroupState.CompletingRebalance:
                    break;
                default:
                    return Task.FromResult(new SyncGroupResponse { ErrorCode = ErrorCode.UnknownMemberId });
            }

            member.PendingSync?.TrySetResult(new SyncGroupResponse { ErrorCode = ErrorCode.RebalanceInProgress });
            var pending = new TaskCompletionSource<SyncGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.PendingSync = pending;
            if (member.MemberId == Leader)
            {
                var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var assignment in request.Assignments)
                {
                    assignments[assignment.MemberId] = assignment.Assignment;
                }

                var now = NowMs;
                State = GroupState.Stable;
                foreach (var each in _members.Values)
                {
                    each.Assignment = assignments.GetValueOrDefault(each.MemberId, []);
                    each.SessionDeadlineMs = now + each.SessionTimeoutMs;
                    if (each.PendingSync is { } parked)
                    {
                        each.PendingSync = null;
                        parked.TrySetResult(new SyncGroupResponse { Assignment = each.Assignment });
                    }
                }

                _log.LogInformation("group {Group} is stable at generation {Generation} with {Members} member(s)", GroupId, Generation, _members.Count);
            }

            Reschedule();
            return pending.Task;
        }
    }

    public ErrorCode Heartbeat(HeartbeatRequest request)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return ErrorCode.NotCoordinator;
            }

            if (!_members.TryGetValue(request.MemberId, out var member))
            {
                return UnknownOrFenced(request.MemberId);
            }

            if (request.GenerationId != Generation)
            {
                return ErrorCode.IllegalGeneration;
            }

            // Also during a rebalance: a slow joiner that still heartbeats is not expelled (research note P9).
            member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
            return State switch
            {
                GroupState.PreparingRebalance => ErrorCode.RebalanceInProgress,
                GroupState.CompletingRebalance or GroupState.Stable => ErrorCode.None,
                _ => ErrorCode.UnknownMemberId,
            };
        }
    }

    /// <summary>LeaveGroup for one member; a static member may be named by its instance id alone (member id "").</summary>
    public ErrorCode Leave(string memberId, string? groupInstanceId = null)
    {
        lock (_lock)
        {
            if (_pending.Remove(memberId))
            {
                TryCompleteJoin();
                Reschedule();
                return ErrorCode.None;
            }

            if (memberId.Length == 0 && groupInstanceId is not null && StaticMember(groupInstanceId) is { } named)
            {
                memberId = named.MemberId;
            }

            if (!_members.ContainsKey(memberId))
            {
                return UnknownOrFenced(memberId);
            }

            _log.LogInformation("member {Member} left group {Group}", memberId, GroupId);
            RemoveMember(memberId);
            Reschedule();
            return ErrorCode.None;
        }
    }

    /// <summary>Whether an offset commit from this member and generation may be stored (Kafka's validateOffsetCommit).</summary>
    public ErrorCode ValidateCommit(int generation, string memberId)
    {
        lock (_lock)
        {
            if (generation < 0 && State == GroupState.Empty)
            {
                // A commit from a consumer that assigns partitions itself (no group membership).
                return ErrorCode.None;
            }

            if (State == GroupState.CompletingRebalance)
            {
                return ErrorCode.RebalanceInProgress;
            }

            if (!_members.TryGetValue(memberId, out var member))
            {
                return UnknownOrFenced(memberId);
            }

            if (generation != Generation)
            {
                return ErrorCode.IllegalGeneration;
            }

            member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
            return ErrorCode.None;
        }
    }

    public DescribedGroup Describe()
    {
        lock (_lock)
        {
            var described = new DescribedGroup
            {
                GroupId = GroupId,
                GroupState = State.ToString(),
                ProtocolType = ProtocolType,
                ProtocolData = State == GroupState.Stable || State == GroupState.CompletingRebalance ? Protocol ?? "" : "",
            };
            foreach (var member in _members.Values)
            {
                described.Members.Add(new DescribedGroupMember(
                    member.MemberId,
                    member.GroupInstanceId,
                    member.ClientId,
                    member.ClientHost,
                    member.MetadataFor(Protocol),
                    State == GroupState.Stable ? member.Assignment : []));
            }

            return described;
        }
    }

    /// <summary>Marks an empty group deleted; false when it still has members.</summary>
    public bool TryMarkDead()
    {
        lock (_lock)
        {
            if (State != GroupState.Empty && State != GroupState.Dead)
            {
                return false;
            }

            State = GroupState.Dead;
            return true;
        }
    }

    /// <summary>Answers every parked request with NOT_COORDINATOR (the broker is stopping) and stops the timer.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer.Dispose();
            foreach (var member in _members.Values)
            {
                member.PendingJoin?.TrySetResult(JoinError(ErrorCode.NotCoordinator, member.MemberId));
                member.PendingSync?.TrySetResult(new SyncGroupResponse { ErrorCode = ErrorCode.NotCoordinator });
            }
        }
    }

    private GroupMember? StaticMember(string groupInstanceId)
    {
        foreach (var member in _members.Values)
        {
            if (string.Equals(member.GroupInstanceId, groupInstanceId, StringComparison.Ordinal))
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>
    /// A static member that comes back under a new member id (its process restarted, and static members send no
    /// LeaveGroup) replaces its earlier incarnation at once instead of after that one's session timeout; the old
    /// id is fenced (FENCED_INSTANCE_ID), so two processes configured with the same instance id cannot take turns.
    /// Kafka also hands the new incarnation the old assignment without a rebalance; here the group rebalances.
    /// </summary>
    private void FenceEarlierIncarnation(string? groupInstanceId)
    {
        if (groupInstanceId is null || StaticMember(groupInstanceId) is not { } earlier)
        {
            return;
        }

        if (_fenced.Count >= 10_000)
        {
            _fenced.Clear(); // bounded; ids this old belong to processes long gone
        }

        _fenced.Add(earlier.MemberId);
        _log.LogInformation("static member {Instance} of group {Group} rejoined; {Member} is fenced", groupInstanceId, GroupId, earlier.MemberId);
        RemoveMember(earlier.MemberId, ErrorCode.FencedInstanceId);
    }

    private ErrorCode UnknownOrFenced(string memberId) => _fenced.Contains(memberId) ? ErrorCode.FencedInstanceId : ErrorCode.UnknownMemberId;

    private static JoinGroupResponse JoinError(ErrorCode error, string memberId) => new() { ErrorCode = error, MemberId = memberId, GenerationId = -1 };

    private bool IsCompatible(JoinGroupRequest request)
    {
        if (request.ProtocolType.Length == 0 || request.Protocols.Count == 0)
        {
            return false;
        }

        var others = _members.Values.Where(m => m.MemberId != request.MemberId).ToList();
        if (others.Count == 0)
        {
            return true;
        }

        if (request.ProtocolType != ProtocolType)
        {
            return false;
        }

        // Every member must share at least one protocol with all the others.
        return request.Protocols.Any(p => others.All(m => m.Protocols.Any(q => q.Name == p.Name)));
    }

    private Task<JoinGroupResponse> AddMemberAndRebalance(JoinGroupRequest request, string memberId, string clientId, string clientHost)
    {
        var member = new GroupMember(memberId, request.GroupInstanceId, clientId, clientHost)
        {
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs,
            Protocols = request.Protocols,
            SessionDeadlineMs = NowMs + request.SessionTimeoutMs,
        };
        if (_members.Count == 0)
        {
            ProtocolType = request.ProtocolType;
        }

        _members[memberId] = member;
        var pending = Park(member);
        _log.LogInformation("member {Member} ({Client} {Host}) joins group {Group}", memberId, clientId, clientHost, GroupId);
        if (State == GroupState.PreparingRebalance)
        {
            TryCompleteJoin();
        }
        else
        {
            PrepareRebalance();
        }

        return pending;
    }

    private Task<JoinGroupResponse> Rejoin(GroupMember member, JoinGroupRequest request)
    {
        var changed = !member.SameProtocols(request.Protocols);
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs;
        member.Protocols = request.Protocols;
        switch (State)
        {
            case GroupState.PreparingRebalance:
            {
                var pending = Park(member);
                TryCompleteJoin();
                return pending;
            }

            case GroupState.CompletingRebalance when !changed:
            case GroupState.Stable when !changed && member.MemberId != Leader:
                // Nothing changed: the current generation stands (the leader also gets the member list back).
                return Task.FromResult(JoinResult(member));
            default:
            {
                var pending = Park(member);
                PrepareRebalance();
                return pending;
            }
        }
    }

    private Task<JoinGroupResponse> Park(GroupMember member)
    {
        member.PendingJoin?.TrySetResult(JoinError(ErrorCode.RebalanceInProgress, member.MemberId));
        var pending = new TaskCompletionSource<JoinGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.PendingJoin = pending;
        return pending.Task;
    }

    private void PrepareRebalance()
    {
        if (State == GroupState.CompletingRebalance)
        {
            foreach (var member in _members.Values)
            {
                if (member.PendingSync is { } parked)
                {
                    member.PendingSync = null;
                    parked.TrySetResult(new SyncGroupResponse { ErrorCode = ErrorCode.RebalanceInProgress });
                }
            }
        }

        var wasEmpty = State == GroupState.Empty;
        State = GroupState.PreparingRebalance;
        var rebalanceTimeout = _members.Count == 0 ? 0 : _members.Values.Max(m => m.RebalanceTimeoutMs);
        _joinDeadlineMs = NowMs + rebalanceTimeout + (wasEmpty ? _settings.InitialRebalanceDelayMs : 0);
        _log.LogDebug("group {Group} is rebalancing (generation {Generation}, {Members} member(s))", GroupId, Generation, _members.Count);
        if (!wasEmpty || _settings.InitialRebalanceDelayMs == 0)
        {
            TryCompleteJoin();
        }
    }

    /// <summary>The join phase ends when every member has rejoined and no freshly issued member id is about to join.</summary>
    private void TryCompleteJoin()
    {
        if (State != GroupState.PreparingRebalance)
        {
            return;
        }

        var now = NowMs;
        foreach (var pending in _pending.Values)
        {
            if (pending.BlocksJoinUntilMs > now)
            {
                return;
            }
        }

        foreach (var member in _members.Values)
        {
            if (member.PendingJoin is null)
            {
                return;
            }
        }

        CompleteJoin();
    }

    private void CompleteJoin()
    {
        foreach (var member in _members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            _log.LogInformation("member {Member} did not rejoin group {Group} in time and was removed", member.MemberId, GroupId);
            _members.Remove(member.MemberId);
            member.PendingSync?.TrySetResult(new SyncGroupResponse { ErrorCode = ErrorCode.UnknownMemberId });
        }

        Generation++;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            Protocol = null;
            Leader = null;
            ProtocolType = "";
            return;
        }

        Protocol = SelectProtocol();
        if (Leader is null || !_members.ContainsKey(Leader))
        {
            Leader = _members.Keys.First();
        }

        State = GroupState.CompletingRebalance;
        var now = NowMs;
        _syncDeadlineMs = now + _members.Values.Max(m => m.RebalanceTimeoutMs);
        foreach (var member in _members.Values)
        {
            member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            var parked = member.PendingJoin!;
            member.PendingJoin = null;
            parked.TrySetResult(JoinResult(member));
        }
    }

    private JoinGroupResponse JoinResult(GroupMember member)
    {
        var response = new JoinGroupResponse
        {
            GenerationId = Generation,
            ProtocolName = Protocol ?? "",
            Leader = Leader ?? "",
            MemberId = member.MemberId,
        };
        if (member.MemberId == Leader)
        {
            foreach (var each in _members.Values)
            {
                response.Members.Add(new JoinGroupResponseMember(each.MemberId, each.GroupInstanceId, each.MetadataFor(Protocol)));
            }
        }

        return response;
    }

    /// <summary>Among the protocols every member supports, each member votes for its first; most votes wins.</summary>
    private string SelectProtocol()
    {
        var members = _members.Values.ToList();
        var candidates = members[0].Protocols.Select(p => p.Name).Where(name => members.All(m => m.Protocols.Any(p => p.Name == name))).ToList();
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var choice = member.Protocols.First(p => candidates.Contains(p.Name)).Name;
            votes[choice] = votes.GetValueOrDefault(choice) + 1;
        }

        return candidates.OrderByDescending(c => votes.GetValueOrDefault(c)).First();
    }

    private void RemoveMember(string memberId, ErrorCode reason = ErrorCode.UnknownMemberId)
    {
        if (!_members.Remove(memberId, out var member))
        {
            return;
        }

        member.PendingJoin?.TrySetResult(JoinError(reason, memberId));
        member.PendingSync?.TrySetResult(new SyncGroupResponse { ErrorCode = reason });
        switch (State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance();
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin();
                break;
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = NowMs;
            foreach (var (id, pending) in _pending.ToList())
            {
                if (pending.ExpiresAtMs <= now)
                {
                    _pending.Remove(id);
                }
            }

            if (State == GroupState.PreparingRebalance && now >= _joinDeadlineMs)
            {
                CompleteJoin();
            }
            else if (State == GroupState.CompletingRebalance && now >= _syncDeadlineMs)
            {
                // The leader never sent its assignment: drop whoever has not synced and start over.
                foreach (var member in _members.Values.Where(m => m.PendingSync is null).ToList())
                {
                    _log.LogInformation("member {Member} of group {Group} did not sync in time and was removed", member.MemberId, GroupId);
                    _members.Remove(member.MemberId);
                }

                PrepareRebalance();
            }
            else
            {
                TryCompleteJoin();
            }

            foreach (var member in _members.Values.Where(m => !m.IsAwaiting && m.SessionDeadlineMs <= now).ToList())
            {
                _log.LogInformation("member {Member} of group {Group} missed its session timeout ({Timeout} ms) and was removed", member.MemberId, GroupId, member.SessionTimeoutMs);
                RemoveMember(member.MemberId);
            }

            Reschedule();
        }
    }

    /// <summary>Points the one timer at the earliest deadline that can change the group's state.</summary>
    private void Reschedule()
    {
        if (_disposed)
        {
            return;
        }

        var next = long.MaxValue;
        foreach (var pending in _pending.Values)
        {
            next = Math.Min(next, pending.ExpiresAtMs);
            next = pending.BlocksJoinUntilMs > NowMs ? Math.Min(next, pending.BlocksJoinUntilMs) : next;
        }

        foreach (var member in _members.Values)
        {
            if (!member.IsAwaiting)
            {
                next = Math.Min(next, member.SessionDeadlineMs);
            }
        }

        if (State == GroupState.PreparingRebalance)
        {
            next = Math.Min(next, _joinDeadlineMs);
        }
        else if (State == GroupState.CompletingRebalance)
        {
            next = Math.Min(next, _syncDeadlineMs);
        }

        var due = next == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, next - NowMs));
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private readonly record struct PendingMember(long ExpiresAtMs, long BlocksJoinUntilMs);
}
