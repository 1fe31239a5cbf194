namespace Weir.Broker.Protocol;

/// <summary>
/// Request header v1 (<c>api_key, api_version, correlation_id, client_id</c>), or v2 (adds tagged fields) for
/// flexible request versions. client_id stays an int16-length string even in v2 (RequestHeader.json).
/// </summary>
internal readonly record struct RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>Smallest possible header: key, version, correlation id, null client id.</summary>
    public const int MinimumSize = 10;

    /// <summary>Reads key, version and correlation id, then the client id and, for flexible versions, the header tags.</summary>
    public static RequestHeader Read(ref KafkaReader reader, out bool flexible)
    {
        var key = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        var clientId = reader.ReadNullableString();
        flexible = SupportedApis.IsFlexible(key, version);
        if (flexible)
        {
            reader.SkipTaggedFields();
        }

        return new RequestHeader(key, version, correlationId, clientId);
    }

    public void Write(KafkaWriter writer)
    {
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteNullableString(ClientId);
        if (SupportedApis.IsFlexible(ApiKey, ApiVersion))
        {
            writer.WriteEmptyTaggedFields();
        }
    }
}
