namespace Weir.Broker.Protocol.Messages;

/// <summary>ApiVersions (key 18) v0-3; v3 is flexible (compact strings, tagged fields).</summary>
internal sealed class ApiVersionsRequest : IKafkaMessage<ApiVersionsRequest>
{
    public string? ClientSoftwareName { get; set; }

    public string? ClientSoftwareVersion { get; set; }

    public static ApiVersionsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ApiVersionsRequest();
        if (version >= 3)
        {
            request.ClientSoftwareName = reader.ReadCompactString();
            request.ClientSoftwareVersion = reader.ReadCompactString();
            reader.SkipTaggedFields();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        if (version >= 3)
        {
            writer.WriteCompactString(ClientSoftwareName ?? "");
            writer.WriteCompactString(ClientSoftwareVersion ?? "");
            writer.WriteEmptyTaggedFields();
        }
    }
}

internal sealed class ApiVersionsResponse : IKafkaMessage<ApiVersionsResponse>
{
    public ErrorCode ErrorCode { get; set; }

    public List<ApiVersionRange> ApiKeys { get; set; } = [];

    public int ThrottleTimeMs { get; set; }

    public static ApiVersionsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new ApiVersionsResponse { ErrorCode = (ErrorCode)reader.ReadInt16() };
        var count = version >= 3 ? reader.ReadCompactArrayLength() : reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            response.ApiKeys.Add(new ApiVersionRange((ApiKey)reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt16()));
            if (version >= 3)
            {
                reader.SkipTaggedFields();
            }
        }

        if (version >= 1)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }

        if (version >= 3)
        {
            reader.SkipTaggedFields();
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt16((short)ErrorCode);
        if (version >= 3)
        {
            writer.WriteCompactArrayLength(ApiKeys.Count);
        }
        else
        {
            writer.WriteArrayLength(ApiKeys.Count);
        }

        foreach (var key in ApiKeys)
        {
            writer.WriteInt16((short)key.Key);
            writer.WriteInt16(key.MinVersion);
            writer.WriteInt16(key.MaxVersion);
            if (version >= 3)
            {
                writer.WriteEmptyTaggedFields();
            }
        }

        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }

        if (version >= 3)
        {
            writer.WriteEmptyTaggedFields();
        }
    }
}

internal readonly record struct ApiVersionRange(ApiKey Key, short MinVersion, short MaxVersion);
