using Weir.Streams.State;

namespace Weir.Streams.Runtime;

/// <summary>How a keyed stream is keyed: the selector, the comparer (equality and key-group hash) and the key's serializer.</summary>
internal abstract class KeySpec<T>
{
    public abstract Type KeyType { get; }

    public abstract RecordWriter<T> CreateWriter(Channel<T>[] channels, TimeProvider clock, int maxParallelism, DeadLetterReporter errors);
}

internal sealed class KeySpec<T, TKey>(Func<T, TKey> selector, IEqualityComparer<TKey> comparer, IStateSerializer<TKey> serializer) : KeySpec<T>
    where TKey : notnull
{
    public Func<T, TKey> Selector { get; } = selector;

    public IEqualityComparer<TKey> Comparer { get; } = comparer;

    public IStateSerializer<TKey> Serializer { get; } = serializer;

    public override Type KeyType => typeof(TKey);

    public override RecordWriter<T> CreateWriter(Channel<T>[] channels, TimeProvider clock, int maxParallelism, DeadLetterReporter errors) =>
        new KeyGroupWriter<T, TKey>(channels, clock, Selector, Comparer, maxParallelism, errors, "KeyBy");
}
