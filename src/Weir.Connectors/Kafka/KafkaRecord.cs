using Confluent.Kafka;

namespace Weir.Connectors.Kafka;

/// <summary>A record as read from Kafka, handed to the deserializer: position, timestamp, key, value, headers.</summary>
public readonly record struct KafkaRecord(
    string Topic,
    int Partition,
    long Offset,
    long Timestamp,
    byte[]? Key,
    byte[]? Value,
    Headers? Headers);

/// <summary>Turns a Kafka record into a job record. Throwing sends the record to the dead letters (the job goes on).</summary>
public delegate T KafkaDeserializer<out T>(in KafkaRecord record);

/// <summary>What a sink writes for a job record: the value, and optionally the key and headers.</summary>
public readonly record struct KafkaMessage(byte[]? Key, byte[] Value, Headers? Headers = null);

/// <summary>Ready-made deserializers.</summary>
public static class KafkaDeserializers
{
    /// <summary>The value as UTF-8 text (null values become the empty string).</summary>
    public static KafkaDeserializer<string> Utf8 { get; } = static (in KafkaRecord r) => r.Value is null ? "" : System.Text.Encoding.UTF8.GetString(r.Value);

    /// <summary>The value bytes as they are.</summary>
    public static KafkaDeserializer<byte[]> Bytes { get; } = static (in KafkaRecord r) => r.Value ?? [];

    /// <summary>The value as JSON (System.Text.Json, web defaults unless <paramref name="options"/> says otherwise).</summary>
    public static KafkaDeserializer<T> Json<T>(System.Text.Json.JsonSerializerOptions? options = null)
    {
        var settings = options ?? new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        return (in KafkaRecord r) => System.Text.Json.JsonSerializer.Deserialize<T>(r.Value, settings)
            ?? throw new FormatException("the value is JSON null");
    }
}

/// <summary>Ready-made serializers for <see cref="KafkaSink{T}"/>.</summary>
public static class KafkaSerializers
{
    /// <summary>The value as UTF-8 text, with an optional key.</summary>
    public static Func<T, KafkaMessage> Utf8<T>(Func<T, string> value, Func<T, string?>? key = null) =>
        record => new KafkaMessage(
            key?.Invoke(record) is { } k ? System.Text.Encoding.UTF8.GetBytes(k) : null,
            System.Text.Encoding.UTF8.GetBytes(value(record)));

    /// <summary>The record as JSON (web defaults unless <paramref name="options"/> says otherwise), with an optional key.</summary>
    public static Func<T, KafkaMessage> Json<T>(Func<T, string?>? key = null, System.Text.Json.JsonSerializerOptions? options = null)
    {
        var settings = options ?? new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        return record => new KafkaMessage(
            key?.Invoke(record) is { } k ? System.Text.Encoding.UTF8.GetBytes(k) : null,
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(record, settings));
    }
}
