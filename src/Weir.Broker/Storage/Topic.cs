namespace Weir.Broker.Storage;

/// <summary>A topic: its id, explicit configs and one log per partition.</summary>
internal sealed class Topic(string name, Guid id, IReadOnlyDictionary<string, string> configs, PartitionLog[] partitions)
{
    public string Name { get; } = name;

    public Guid Id { get; } = id;

    /// <summary>The configs set when the topic was created (the rest are broker defaults).</summary>
    public IReadOnlyDictionary<string, string> Configs { get; } = configs;

    public PartitionLog[] Partitions { get; } = partitions;

    public PartitionLog? Partition(int index) => (uint)index < (uint)Partitions.Length ? Partitions[index] : null;
}
