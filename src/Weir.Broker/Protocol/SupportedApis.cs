using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Protocol;

/// <summary>
/// What the broker advertises in ApiVersions: exactly the APIs it implements, with the version ranges from
/// research note kafka-protocol.md section 1. The minima matter as much as the maxima: librdkafka before 2.11.1
/// (Debian's kcat) enables features only when an exact old version lies inside the range (Produce 0 for
/// compression, Produce 3 / Fetch 4 for record batches v2, JoinGroup 0 for balanced consumer groups).
/// </summary>
internal static class SupportedApis
{
    private static readonly ApiVersionRange[] Ranges =
    [
        new(ApiKey.Produce, 0, 8),
        new(ApiKey.Fetch, 4, 11),
        new(ApiKey.ListOffsets, 1, 5),
        new(ApiKey.Metadata, 0, 8),
        new(ApiKey.OffsetCommit, 2, 7),
        new(ApiKey.OffsetFetch, 1, 5),
        new(ApiKey.FindCoordinator, 0, 2),
        new(ApiKey.JoinGroup, 0, 5),
        new(ApiKey.Heartbeat, 0, 3),
        new(ApiKey.LeaveGroup, 0, 3),
        new(ApiKey.SyncGroup, 0, 3),
        new(ApiKey.DescribeGroups, 0, 4),
        new(ApiKey.ListGroups, 0, 2),
        new(ApiKey.ApiVersions, 0, 3),
        new(ApiKey.CreateTopics, 0, 4),
        new(ApiKey.DeleteTopics, 0, 3),
        new(ApiKey.InitProducerId, 0, 1),
        new(ApiKey.DescribeConfigs, 0, 3),
        new(ApiKey.DeleteGroups, 0, 1),
    ];

    public static IReadOnlyList<ApiVersionRange> All => Ranges;

    public static bool IsSupported(ApiKey key, short version)
    {
        foreach (var range in Ranges)
        {
            if (range.Key == key)
            {
                return version >= range.MinVersion && version <= range.MaxVersion;
            }
        }

        return false;
    }

    public static ApiVersionRange? Find(ApiKey key)
    {
        foreach (var range in Ranges)
        {
            if (range.Key == key)
            {
                return range;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the request uses header v2 and flexible encodings. Within the advertised ranges only ApiVersions
    /// v3+ is flexible; the other first flexible versions are listed so that an unsupported but flexible
    /// request's header is still read correctly before the connection is closed.
    /// </summary>
    public static bool IsFlexible(ApiKey key, short version) => key switch
    {
        ApiKey.ApiVersions => version >= 3,
        ApiKey.Produce => version >= 9,
        ApiKey.Fetch => version >= 12,
        ApiKey.ListOffsets => version >= 6,
        ApiKey.Metadata => version >= 9,
        ApiKey.OffsetCommit => version >= 8,
        ApiKey.OffsetFetch => version >= 6,
        ApiKey.FindCoordinator => version >= 3,
        ApiKey.JoinGroup => version >= 6,
        ApiKey.Heartbeat or ApiKey.LeaveGroup or ApiKey.SyncGroup => version >= 4,
        ApiKey.DescribeGroups => version >= 5,
        ApiKey.ListGroups => version >= 3,
        ApiKey.CreateTopics => version >= 5,
        ApiKey.DeleteTopics => version >= 4,
        ApiKey.InitProducerId => version >= 2,
        ApiKey.DescribeConfigs => version >= 4,
        ApiKey.CreatePartitions or ApiKey.DeleteGroups => version >= 2,
        _ => false,
    };
}
