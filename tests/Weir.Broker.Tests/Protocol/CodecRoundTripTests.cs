using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Tests.Protocol;

/// <summary>
/// Every request and response of every advertised version: write, read back, write again; the bytes must be
/// identical and the reader must consume exactly what was written. (Conformance with the real layouts is shown
/// by the interop tests with librdkafka, kafka-python and KafkaJS.)
/// </summary>
public sealed class CodecRoundTripTests
{
    public static TheoryData<string, short> AdvertisedVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var range in SupportedApis.All)
        {
            for (var version = range.MinVersion; version <= range.MaxVersion; version++)
            {
                data.Add(range.Key.ToString(), version);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AdvertisedVersions))]
    public void Request_and_response_survive_a_round_trip(string api, short version)
    {
        switch (Enum.Parse<ApiKey>(api))
        {
            case ApiKey.ApiVersions:
                AssertRoundTrip(MessageSamples.ApiVersionsRequest(), version);
                AssertRoundTrip(MessageSamples.ApiVersionsResponse(), version);
                break;
            case ApiKey.Metadata:
                AssertRoundTrip(MessageSamples.MetadataRequest(), version);
                AssertRoundTrip(MessageSamples.MetadataResponse(), version);
                break;
            case ApiKey.Produce:
                AssertRoundTrip(MessageSamples.ProduceRequest(), version);
                AssertRoundTrip(MessageSamples.ProduceResponse(), version);
                break;
            case ApiKey.Fetch:
                AssertRoundTrip(MessageSamples.FetchRequest(), version);
                AssertRoundTrip(MessageSamples.FetchResponse(), version);
                break;
            case ApiKey.ListOffsets:
                AssertRoundTrip(MessageSamples.ListOffsetsRequest(), version);
                AssertRoundTrip(MessageSamples.ListOffsetsResponse(), version);
                break;
            case ApiKey.CreateTopics:
                AssertRoundTrip(MessageSamples.CreateTopicsRequest(), version);
                AssertRoundTrip(MessageSamples.CreateTopicsResponse(), version);
                break;
            case ApiKey.DeleteTopics:
                AssertRoundTrip(MessageSamples.DeleteTopicsRequest(), version);
                AssertRoundTrip(MessageSamples.DeleteTopicsResponse(), version);
                break;
            case ApiKey.DescribeConfigs:
                AssertRoundTrip(MessageSamples.DescribeConfigsRequest(), version);
                AssertRoundTrip(MessageSamples.DescribeConfigsResponse(), version);
                break;
            case ApiKey.FindCoordinator:
                AssertRoundTrip(MessageSamples.FindCoordinatorRequest(), version);
                AssertRoundTrip(MessageSamples.FindCoordinatorResponse(), version);
                break;
            case ApiKey.JoinGroup:
                AssertRoundTrip(MessageSamples.JoinGroupRequest(), version);
                AssertRoundTrip(MessageSamples.JoinGroupResponse(), version);
                break;
            case ApiKey.SyncGroup:
                AssertRoundTrip(MessageSamples.SyncGroupRequest(), version);
                AssertRoundTrip(MessageSamples.SyncGroupResponse(), version);
                break;
            case ApiKey.Heartbeat:
                AssertRoundTrip(MessageSamples.HeartbeatRequest(), version);
                AssertRoundTrip(MessageSamples.HeartbeatResponse(), version);
                break;
            case ApiKey.LeaveGroup:
                AssertRoundTrip(MessageSamples.LeaveGroupRequest(version), version);
                AssertRoundTrip(MessageSamples.LeaveGroupResponse(), version);
                break;
            case ApiKey.OffsetCommit:
                AssertRoundTrip(MessageSamples.OffsetCommitRequest(), version);
                AssertRoundTrip(MessageSamples.OffsetCommitResponse(), version);
                break;
            case ApiKey.OffsetFetch:
                AssertRoundTrip(MessageSamples.OffsetFetchRequest(), version);
                AssertRoundTrip(MessageSamples.OffsetFetchResponse(), version);
                break;
            case ApiKey.DescribeGroups:
                AssertRoundTrip(MessageSamples.DescribeGroupsRequest(), version);
                AssertRoundTrip(MessageSamples.DescribeGroupsResponse(), version);
                break;
            case ApiKey.ListGroups:
                AssertRoundTrip(MessageSamples.ListGroupsRequest(), version);
                AssertRoundTrip(MessageSamples.ListGroupsResponse(), version);
                break;
            case ApiKey.DeleteGroups:
                AssertRoundTrip(MessageSamples.DeleteGroupsRequest(), version);
                AssertRoundTrip(MessageSamples.DeleteGroupsResponse(), version);
                break;
            case ApiKey.InitProducerId:
                AssertRoundTrip(MessageSamples.InitProducerIdRequest(), version);
                AssertRoundTrip(MessageSamples.InitProducerIdResponse(), version);
                break;
            default:
                Assert.Fail($"no round-trip sample for advertised API {api}");
                break;
        }
    }

    [Fact]
    public void Metadata_v0_sends_an_empty_array_for_all_topics_and_v1_sends_null()
    {
        var all = new MetadataRequest { Topics = null };
        Assert.Equal([0, 0, 0, 0], Write(all, 0));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF], Write(all, 1));
        Assert.Null(Read<MetadataRequest>(Write(all, 0), 0).Topics);
        Assert.Empty(Read<MetadataRequest>(Write(new MetadataRequest { Topics = [] }, 1), 1).Topics!);
    }

    [Fact]
    public void Fetch_response_records_are_empty_bytes_never_null()
    {
        var response = new FetchResponse
        {
            Topics = [new FetchTopicResponse { Name = "t", Partitions = [new FetchPartitionResponse { PartitionIndex = 0, Records = null }] }],
        };

        var decoded = Read<FetchResponse>(Write(response, 11), 11);

        var records = decoded.Topics[0].Partitions[0].Records;
        Assert.NotNull(records);
        Assert.Equal(0, records.Value.Length);
        Assert.Equal(-1, decoded.Topics[0].Partitions[0].PreferredReadReplica);
    }

    [Fact]
    public void Produce_response_puts_throttle_time_last()
    {
        var bytes = Write(new ProduceResponse { ThrottleTimeMs = 0x01020304 }, 8);

        Assert.Equal([0, 0, 0, 0, 1, 2, 3, 4], bytes);
    }

    [Fact]
    public void ApiVersions_v3_uses_compact_arrays_and_tagged_fields()
    {
        var response = new ApiVersionsResponse { ApiKeys = [new ApiVersionRange(ApiKey.Produce, 0, 8)] };

        // error(2) compact-array-len(1)=2 key(2) min(2) max(2) tags(1) throttle(4) tags(1)
        Assert.Equal([0, 0, 2, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0], Write(response, 3));
    }

    [Fact]
    public void OffsetFetch_v2_and_later_put_the_group_error_last()
    {
        var response = new OffsetFetchResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };

        Assert.Equal([0, 0, 0, 0, 0, 30], Write(response, 2));
        Assert.Equal([0, 0, 0, 0], Write(response, 1));
    }

    [Fact]
    public void JoinGroup_v0_takes_the_session_timeout_as_rebalance_timeout()
    {
        var request = MessageSamples.JoinGroupRequest();

        var decoded = Read<JoinGroupRequest>(Write(request, 0), 0);

        Assert.Equal(request.SessionTimeoutMs, decoded.RebalanceTimeoutMs);
        Assert.Null(decoded.GroupInstanceId);
    }

    [Fact]
    public void A_truncated_body_is_a_protocol_error_not_a_crash()
    {
        var bytes = Write(MessageSamples.FetchRequest(), 11);
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            var truncated = bytes[..cut];
            Assert.Throws<ProtocolException>(() => Read<FetchRequest>(truncated, 11));
        }
    }

    private static void AssertRoundTrip<T>(T message, short version)
        where T : IKafkaMessage<T>
    {
        var first = Write(message, version);
        var reader = new KafkaReader(first.ToArray());
        var decoded = T.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        var second = Write(decoded, version);
        Assert.Equal(first, second);
    }

    private static byte[] Write<T>(T message, short version)
        where T : IKafkaMessage<T>
    {
        using var writer = new KafkaWriter();
        message.Write(writer, version);
        return writer.ToArray();
    }

    private static T Read<T>(byte[] bytes, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(bytes);
        return T.Read(ref reader, version);
    }
}
