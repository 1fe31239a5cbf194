using Weir.Broker.Network;
using Weir.Broker.Protocol;
using Weir.Broker.Protocol.Messages;

namespace Weir.Broker.Handlers;

/// <summary>
/// ApiVersions. A version we do not know is answered the KIP-511 way (research note section 2): the body is not
/// parsed, and the answer is a v0 body with UNSUPPORTED_VERSION and only the ApiVersions range, so the client
/// retries with a version we support. Closing the socket instead would make librdkafka assume a pre-0.10 broker.
/// </summary>
internal static class ApiVersionsHandler
{
    private const short MaxVersion = 3;

    public static KafkaWriter Handle(RequestContext request)
    {
        var version = request.Header.ApiVersion;
        if (version is < 0 or > MaxVersion)
        {
            var refusal = new ApiVersionsResponse
            {
                ErrorCode = ErrorCode.UnsupportedVersion,
                ApiKeys = [SupportedApis.Find(ApiKey.ApiVersions)!.Value],
            };
            return Frame(request.Header.CorrelationId, refusal, 0);
        }

        // The body (client software name and version, v3) is informational; it is parsed so malformed bytes are caught.
        request.Parse<ApiVersionsRequest>();
        var response = new ApiVersionsResponse { ApiKeys = [.. SupportedApis.All] };
        return Frame(request.Header.CorrelationId, response, version);
    }

    /// <summary>ApiVersions responses always use response header v0, even for the flexible v3 (KIP-511).</summary>
    private static KafkaWriter Frame(int correlationId, ApiVersionsResponse response, short version)
    {
        var writer = new KafkaWriter();
        var size = writer.ReserveInt32();
        writer.WriteInt32(correlationId);
        response.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);
        return writer;
    }
}
