using Weir.Connectors.Kafka;

namespace Weir.Pipelines.Shared;

/// <summary>The "StartFrom" setting of a pipeline's Kafka source.</summary>
internal static class StartOffsets
{
    public static KafkaStartOffsets Parse(string text) => text.ToUpperInvariant() switch
    {
        "EARLIEST" => KafkaStartOffsets.Earliest,
        "LATEST" => KafkaStartOffsets.Latest,
        "COMMITTED" => KafkaStartOffsets.Committed(),
        _ => throw new ArgumentException($"StartFrom must be earliest, latest or committed, not '{text}'"),
    };
}
