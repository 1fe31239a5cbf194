using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Tests.Protocol;

/// <summary>Fully populated messages: every optional and version-dependent field has a non-default value.</summary>
internal static class MessageSamples
{
    public static ApiVersionsRequest ApiVersionsRequest() => new() { ClientSoftwareName = "librdkafka", ClientSoftwareVersion = "2.0.2" };

    public static ApiVersionsResponse ApiVersionsResponse() => new()
    {
        ErrorCode = ErrorCode.None,
        ApiKeys = [.. SupportedApis.All],
        ThrottleTimeMs = 7,
    };

    public static MetadataRequest MetadataRequest() => new()
    {
        Topics = ["alpha", "beta"],
        AllowAutoTopicCreation = false,
        IncludeClusterAuthorizedOperations = true,
        IncludeTopicAuthorizedOperations = true,
    };

    public static MetadataResponse MetadataResponse() => new()
    {
        ThrottleTimeMs = 3,
        Brokers = [new MetadataBroker { NodeId = 1, Host = "127.0.0.1", Port = 9092, Rack = "r1" }],
        ClusterId = "cluster",
        ControllerId = 1,
        Topics =
        [
            new MetadataTopic
            {
                Name = "alpha",
                IsInternal = true,
                TopicAuthorizedOperations = 8,
                Partitions =
                [
                    new MetadataPartition { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 4, ReplicaNodes = [1], IsrNodes = [1], OfflineReplicas = [2] },
                    new MetadataPartition { ErrorCode = ErrorCode.LeaderNotAvailable, PartitionIndex = 1, LeaderId = -1, ReplicaNodes = [], IsrNodes = [] },
                ],
            },
        ],
        ClusterAuthorizedOperations = 5,
    };

    public static ProduceRequest ProduceRequest() => new()
    {
        TransactionalId = "tx",
        Acks = -1,
        TimeoutMs = 30000,
        Topics =
        [
            new ProduceTopicData
            {
                Name = "alpha",
                Partitions =
                [
                    new ProducePartitionData { Index = 0, Records = new byte[] { 1, 2, 3, 4 } },
                    new ProducePartitionData { Index = 1, Records = null },
                ],
            },
        ],
    };

    public static ProduceResponse ProduceResponse() => new()
    {
        ThrottleTimeMs = 11,
        Topics =
        [
            new ProduceTopicResponse
            {
                Name = "alpha",
                Partitions =
                [
                    new ProducePartitionResponse
                    {
                        Index = 2,
                        ErrorCode = ErrorCode.CorruptMessage,
                        BaseOffset = 42,
                        LogAppendTimeMs = 1234,
                        LogStartOffset = 5,
                        RecordErrors = [new ProduceRecordError(0, "bad")],
                        ErrorMessage = "crc",
                    },
                ],
            },
        ],
    };

    public static FetchRequest FetchRequest() => new()
    {
        ReplicaId = -1,
        MaxWaitMs = 500,
        MinBytes = 1,
        MaxBytes = 52428800,
        IsolationLevel = 1,
        SessionId = 0,
        SessionEpoch = -1,
        Topics =
        [
            new FetchTopic
            {
                Name = "alpha",
                Partitions = [new FetchPartition { Partition = 3, CurrentLeaderEpoch = 0, FetchOffset = 77, LogStartOffset = 1, PartitionMaxBytes = 1048576 }],
            },
        ],
        ForgottenTopics = [new FetchForgottenTopic("beta", [1, 2])],
        RackId = "rack",
    };

    public static FetchResponse FetchResponse() => new()
    {
        ThrottleTimeMs = 1,
        ErrorCode = ErrorCode.None,
        SessionId = 0,
        Topics =
        [
            new FetchTopicResponse
            {
                Name = "alpha",
                Partitions =
                [
                    new FetchPartitionResponse
                    {
                        PartitionIndex = 3,
                        HighWatermark = 100,
                        LastStableOffset = 100,
                        LogStartOffset = 10,
                        AbortedTransactions = [new FetchAbortedTransaction(9, 50)],
                        PreferredReadReplica = -1,
                        Records = new byte[] { 9, 8, 7 },
                    },
                    new FetchPartitionResponse { PartitionIndex = 4, ErrorCode = ErrorCode.OffsetOutOfRange, AbortedTransactions = [], Records = ReadOnlyMemory<byte>.Empty },
                ],
            },
        ],
    };

    public static ListOffsetsRequest ListOffsetsRequest() => new()
    {
        ReplicaId = -1,
        IsolationLevel = 1,
        Topics = [new ListOffsetsTopic { Name = "alpha", Partitions = [new ListOffsetsPartition { PartitionIndex = 1, CurrentLeaderEpoch = 0, Timestamp = -2 }] }],
    };

    public static ListOffsetsResponse ListOffsetsResponse() => new()
    {
        ThrottleTimeMs = 2,
        Topics = [new ListOffsetsTopicResponse { Name = "alpha", Partitions = [new ListOffsetsPartitionResponse { PartitionIndex = 1, Timestamp = 1700, Offset = 12, LeaderEpoch = 0 }] }],
    };

    public static CreateTopicsRequest CreateTopicsRequest() => new()
    {
        Topics =
        [
            new CreatableTopic
            {
                Name = "alpha",
                NumPartitions = -1,
                ReplicationFactor = -1,
                Assignments = [new CreatableReplicaAssignment(0, [1])],
                Configs = [new CreatableTopicConfig("retention.ms", "1000"), new CreatableTopicConfig("cleanup.policy", null)],
            },
        ],
        TimeoutMs = 5000,
        ValidateOnly = true,
    };

    public static CreateTopicsResponse CreateTopicsResponse() => new()
    {
        ThrottleTimeMs = 4,
        Topics = [new CreatableTopicResult { Name = "alpha", ErrorCode = ErrorCode.TopicAlreadyExists, ErrorMessage = "exists" }],
    };

    public static DeleteTopicsRequest DeleteTopicsRequest() => new() { TopicNames = ["alpha", "beta"], TimeoutMs = 3000 };

    public static DeleteTopicsResponse DeleteTopicsResponse() => new()
    {
        ThrottleTimeMs = 6,
        Responses = [new DeletableTopicResult("alpha", ErrorCode.None), new DeletableTopicResult("beta", ErrorCode.UnknownTopicOrPartition)],
    };

    public static DescribeConfigsRequest DescribeConfigsRequest() => new()
    {
        Resources = [new DescribeConfigsResource { ResourceType = 2, ResourceName = "alpha", ConfigurationKeys = ["retention.ms"] }],
        IncludeSynonyms = true,
        IncludeDocumentation = true,
    };

    public static DescribeConfigsResponse DescribeConfigsResponse() => new()
    {
        ThrottleTimeMs = 0,
        Results =
        [
            new DescribeConfigsResult
            {
                ResourceType = 2,
                ResourceName = "alpha",
                ErrorMessage = "none",
                Configs =
                [
                    new DescribeConfigsEntry
                    {
                        Name = "retention.ms",
                        Value = "1000",
                        IsDefault = true,
                        ConfigSource = 1,
                        Synonyms = [new DescribeConfigsSynonym("log.retention.ms", "1000", 4)],
                        ConfigType = 5,
                        Documentation = "doc",
                    },
                ],
            },
        ],
    };

    public static FindCoordinatorRequest FindCoordinatorRequest() => new() { Key = "group", KeyType = 0 };

    public static FindCoordinatorResponse FindCoordinatorResponse() => new() { ThrottleTimeMs = 1, ErrorMessage = "ok", NodeId = 1, Host = "127.0.0.1", Port = 9092 };

    public static JoinGroupRequest JoinGroupRequest() => new()
    {
        GroupId = "group",
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 300000,
        MemberId = "member-1",
        GroupInstanceId = "instance",
        ProtocolType = "consumer",
        Protocols = [new JoinGroupProtocol("range", [1, 2]), new JoinGroupProtocol("roundrobin", [3])],
    };

    public static JoinGroupResponse JoinGroupResponse() => new()
    {
        ThrottleTimeMs = 2,
        ErrorCode = ErrorCode.None,
        GenerationId = 3,
        ProtocolName = "range",
        Leader = "member-1",
        MemberId = "member-1",
        Members = [new JoinGroupResponseMember("member-1", "instance", [1, 2]), new JoinGroupResponseMember("member-2", null, [])],
    };

    public static SyncGroupRequest SyncGroupRequest() => new()
    {
        GroupId = "group",
        GenerationId = 3,
        MemberId = "member-1",
        GroupInstanceId = "instance",
        Assignments = [new SyncGroupAssignment("member-1", [0, 1]), new SyncGroupAssignment("member-2", [])],
    };

    public static SyncGroupResponse SyncGroupResponse() => new() { ThrottleTimeMs = 3, Assignment = [5, 6, 7] };

    public static HeartbeatRequest HeartbeatRequest() => new() { GroupId = "group", GenerationId = 3, MemberId = "member-1", GroupInstanceId = "instance" };

    public static HeartbeatResponse HeartbeatResponse() => new() { ThrottleTimeMs = 4, ErrorCode = ErrorCode.RebalanceInProgress };

    /// <summary>v0-2 carry exactly one member, so the sample has one (v3 round-trips arrays of any length).</summary>
    public static LeaveGroupRequest LeaveGroupRequest(short version) => new()
    {
        GroupId = "group",
        Members = [new LeaveGroupMember("member-1", version >= 3 ? "instance" : null)],
    };

    public static LeaveGroupResponse LeaveGroupResponse() => new()
    {
        ThrottleTimeMs = 5,
        Members = [new LeaveGroupMemberResult("member-1", "instance", ErrorCode.None), new LeaveGroupMemberResult("ghost", null, ErrorCode.UnknownMemberId)],
    };

    public static OffsetCommitRequest OffsetCommitRequest() => new()
    {
        GroupId = "group",
        GenerationId = 3,
        MemberId = "member-1",
        GroupInstanceId = "instance",
        RetentionTimeMs = 1000,
        Topics = [new OffsetCommitTopic { Name = "alpha", Partitions = [new OffsetCommitPartition(0, 42, 0, "meta"), new OffsetCommitPartition(1, 7, 0, null)] }],
    };

    public static OffsetCommitResponse OffsetCommitResponse() => new()
    {
        ThrottleTimeMs = 6,
        Topics = [new OffsetCommitTopicResult { Name = "alpha", Partitions = [new OffsetCommitPartitionResult(0, ErrorCode.None), new OffsetCommitPartitionResult(1, ErrorCode.IllegalGeneration)] }],
    };

    public static OffsetFetchRequest OffsetFetchRequest() => new() { GroupId = "group", Topics = [new OffsetFetchTopic("alpha", [0, 1])] };

    public static OffsetFetchResponse OffsetFetchResponse() => new()
    {
        ThrottleTimeMs = 7,
        Topics = [new OffsetFetchTopicResult { Name = "alpha", Partitions = [new OffsetFetchPartitionResult(0, 42, 0, "meta", ErrorCode.None), new OffsetFetchPartitionResult(1, -1, -1, "", ErrorCode.None)] }],
        ErrorCode = ErrorCode.None,
    };

    public static DescribeGroupsRequest DescribeGroupsRequest() => new() { Groups = ["group", "other"], IncludeAuthorizedOperations = true };

    public static DescribeGroupsResponse DescribeGroupsResponse() => new()
    {
        ThrottleTimeMs = 8,
        Groups =
        [
            new DescribedGroup
            {
                GroupId = "group",
                GroupState = "Stable",
                ProtocolType = "consumer",
                ProtocolData = "range",
                Members = [new DescribedGroupMember("member-1", "instance", "client", "/127.0.0.1", [1], [2])],
                AuthorizedOperations = 12,
            },
        ],
    };

    public static ListGroupsRequest ListGroupsRequest() => new();

    public static ListGroupsResponse ListGroupsResponse() => new() { ThrottleTimeMs = 9, Groups = [new ListedGroup("group", "consumer"), new ListedGroup("simple", "")] };

    public static DeleteGroupsRequest DeleteGroupsRequest() => new() { GroupsNames = ["group", "other"] };

    public static DeleteGroupsResponse DeleteGroupsResponse() => new()
    {
        ThrottleTimeMs = 10,
        Results = [new DeletableGroupResult("group", ErrorCode.None), new DeletableGroupResult("other", ErrorCode.NonEmptyGroup)],
    };

    public static InitProducerIdRequest InitProducerIdRequest() => new() { TransactionalId = null, TransactionTimeoutMs = 60000 };

    public static InitProducerIdResponse InitProducerIdResponse() => new() { ThrottleTimeMs = 11, ProducerId = 1000, ProducerEpoch = 0 };
}
