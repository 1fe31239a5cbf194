namespace Weir.Broker.Protocol.Messages;

/// <summary>DescribeConfigs (key 32) v0-3, for topics (resource type 2) and the broker (type 4).</summary>
internal sealed class DescribeConfigsRequest : IKafkaMessage<DescribeConfigsRequest>
{
    public const sbyte TopicResource = 2;
    public const sbyte BrokerResource = 4;

    public List<DescribeConfigsResource> Resources { get; set; } = [];

    public bool IncludeSynonyms { get; set; }

    public bool IncludeDocumentation { get; set; }

    public static DescribeConfigsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DescribeConfigsRequest();
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            var resource = new DescribeConfigsResource { ResourceType = reader.ReadInt8(), ResourceName = reader.ReadString() };
            var keys = reader.ReadArrayLength();
            if (keys >= 0)
            {
                resource.ConfigurationKeys = [];
                for (var j = 0; j < keys; j++)
                {
                    resource.ConfigurationKeys.Add(reader.ReadString());
                }
            }

            request.Resources.Add(resource);
        }

        if (version >= 1)
        {
            request.IncludeSynonyms = reader.ReadBoolean();
        }

        if (version >= 3)
        {
            request.IncludeDocumentation = reader.ReadBoolean();
        }

        return request;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteArrayLength(Resources.Count);
        foreach (var resource in Resources)
        {
            writer.WriteInt8(resource.ResourceType);
            writer.WriteString(resource.ResourceName);
            if (resource.ConfigurationKeys is null)
            {
                writer.WriteArrayLength(-1);
            }
            else
            {
                writer.WriteArrayLength(resource.ConfigurationKeys.Count);
                foreach (var key in resource.ConfigurationKeys)
                {
                    writer.WriteString(key);
                }
            }
        }

        if (version >= 1)
        {
            writer.WriteBoolean(IncludeSynonyms);
        }

        if (version >= 3)
        {
            writer.WriteBoolean(IncludeDocumentation);
        }
    }
}

internal sealed class DescribeConfigsResource
{
    public sbyte ResourceType { get; set; }

    public string ResourceName { get; set; } = "";

    /// <summary>Null = every configuration.</summary>
    public List<string>? ConfigurationKeys { get; set; }
}

internal sealed class DescribeConfigsResponse : IKafkaMessage<DescribeConfigsResponse>
{
    /// <summary>ConfigSource values (DescribeConfigsResponse.json).</summary>
    public const sbyte DynamicTopicConfig = 1;
    public const sbyte StaticBrokerConfig = 4;
    public const sbyte DefaultConfig = 5;

    public int ThrottleTimeMs { get; set; }

    public List<DescribeConfigsResult> Results { get; set; } = [];

    public static DescribeConfigsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DescribeConfigsResponse { ThrottleTimeMs = reader.ReadInt32() };
        var count = reader.ReadNonNullArrayLength();
        for (var i = 0; i < count; i++)
        {
            var result = new DescribeConfigsResult
            {
                ErrorCode = (ErrorCode)reader.ReadInt16(),
                ErrorMessage = reader.ReadNullableString(),
                ResourceType = reader.ReadInt8(),
                ResourceName = reader.ReadString(),
            };
            var configs = reader.ReadNonNullArrayLength();
            for (var j = 0; j < configs; j++)
            {
                var config = new DescribeConfigsEntry { Name = reader.ReadString(), Value = reader.ReadNullableString(), ReadOnly = reader.ReadBoolean() };
                if (version == 0)
                {
                    config.IsDefault = reader.ReadBoolean();
                }
                else
                {
                    config.ConfigSource = reader.ReadInt8();
                }

                config.IsSensitive = reader.ReadBoolean();
                if (version >= 1)
                {
                    var synonyms = reader.ReadNonNullArrayLength();
                    for (var k = 0; k < synonyms; k++)
                    {
                        config.Synonyms.Add(new DescribeConfigsSynonym(reader.ReadString(), reader.ReadNullableString(), reader.ReadInt8()));
                    }
                }

                if (version >= 3)
                {
                    config.ConfigType = reader.ReadInt8();
                    config.Documentation = reader.ReadNullableString();
                }

                result.Configs.Add(config);
            }

            response.Results.Add(result);
        }

        return response;
    }

    public void Write(KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArrayLength(Results.Count);
        foreach (var result in Results)
        {
            writer.WriteInt16((short)result.ErrorCode);
            writer.WriteNullableString(result.ErrorMessage);
            writer.WriteInt8(result.ResourceType);
            writer.WriteString(result.ResourceName);
            writer.WriteArrayLength(result.Configs.Count);
            foreach (var config in result.Configs)
            {
                writer.WriteString(config.Name);
                writer.WriteNullableString(config.Value);
                writer.WriteBoolean(config.ReadOnly);
                if (version == 0)
                {
                    writer.WriteBoolean(config.IsDefault);
                }
                else
                {
                    writer.WriteInt8(config.ConfigSource);
                }

                writer.WriteBoolean(config.IsSensitive);
                if (version >= 1)
                {
                    writer.WriteArrayLength(config.Synonyms.Count);
                    foreach (var synonym in config.Synonyms)
                    {
                        writer.WriteString(synonym.Name);
                        writer.WriteNullableString(synonym.Value);
                        writer.WriteInt8(synonym.Source);
                    }
                }

                if (version >= 3)
                {
                    writer.WriteInt8(config.ConfigType);
                    writer.WriteNullableString(config.Documentation);
                }
            }
        }
    }
}

internal sealed class DescribeConfigsResult
{
    public ErrorCode ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public sbyte ResourceType { get; set; }

    public string ResourceName { get; set; } = "";

    public List<DescribeConfigsEntry> Configs { get; set; } = [];
}

internal sealed class DescribeConfigsEntry
{
    public string Name { get; set; } = "";

    public string? Value { get; set; }

    public bool ReadOnly { get; set; }

    public bool IsDefault { get; set; }

    public sbyte ConfigSource { get; set; } = -1;

    public bool IsSensitive { get; set; }

    public List<DescribeConfigsSynonym> Synonyms { get; set; } = [];

    public sbyte ConfigType { get; set; }

    public string? Documentation { get; set; }
}

internal sealed record DescribeConfigsSynonym(string Name, string? Value, sbyte Source);
