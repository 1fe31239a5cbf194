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
}
