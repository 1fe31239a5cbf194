namespace Weir.Streams.State;

/// <summary>One value per key. Reads return default when the key has none.</summary>
public interface IValueState<T>
{
    T Value { get; set; }

    bool HasValue { get; }

    void Clear();
}

/// <summary>A list per key.</summary>
public interface IListState<T>
{
    /// <summary>The current key's elements (empty when none); valid until the list is next changed.</summary>
    IReadOnlyList<T> Get();

    void Add(T value);

    void AddRange(IEnumerable<T> values);

    /// <summary>Replaces the current key's elements.</summary>
    void Update(IEnumerable<T> values);

    void Clear();
}

/// <summary>A map per key.</summary>
public interface IMapState<TKey, TValue>
    where TKey : notnull
{
    bool TryGetValue(TKey key, out TValue value);

    /// <summary>Gets (throws <see cref="KeyNotFoundException"/> when absent) or sets an entry.</summary>
    TValue this[TKey key] { get; set; }

    bool ContainsKey(TKey key);

    bool Remove(TKey key);

    int Count { get; }

    /// <summary>The current key's entries (empty when none).</summary>
    IEnumerable<KeyValuePair<TKey, TValue>> Entries { get; }

    void Clear();
}
