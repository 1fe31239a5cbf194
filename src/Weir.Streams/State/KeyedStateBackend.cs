using Weir.Streams.Runtime;

namespace Weir.Streams.State;

/// <summary>
/// Keyed state of one operator in one subtask, on the heap: one table per named state, each a dictionary from
/// key to value. The operator sets <see cref="CurrentKey"/> before calling user code; state handles read and
/// write that key's entry. Checkpointed per table; a restore keeps only the keys whose key group this subtask
/// now owns, so parallelism can change between runs.
/// </summary>
internal sealed class KeyedStateBackend<TKey>
    where TKey : notnull
{
    private readonly Dictionary<string, IStateTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<byte[]>> _restored = new(StringComparer.Ordinal);

    public KeyedStateBackend(IEqualityComparer<TKey> comparer, IStateSerializer<TKey> keySerializer, int subtaskIndex, int parallelism, int maxParallelism)
    {
        Comparer = comparer;
        KeySerializer = keySerializer;
        SubtaskIndex = subtaskIndex;
        Parallelism = parallelism;
        MaxParallelism = maxParallelism;
    }

    public TKey CurrentKey { get; set; } = default!;

    public IEqualityComparer<TKey> Comparer { get; }

    public IStateSerializer<TKey> KeySerializer { get; }

    public int SubtaskIndex { get; }

    public int Parallelism { get; }

    public int MaxParallelism { get; }

    public bool IsEmpty => _tables.Count == 0 && _restored.Count == 0;

    /// <summary>Whether this subtask owns the key's key group (used to filter restored entries).</summary>
    public bool Owns(TKey key) => KeyGroups.SubtaskForHash(Comparer.GetHashCode(key), MaxParallelism, Parallelism) == SubtaskIndex;

    public IValueState<T> GetValueState<T>(string name, IStateSerializer<T>? serializer) =>
        GetOrCreate(name, () => new ValueTable<TKey, T>(this, serializer ?? StateSerializers.Default<T>()));

    public IListState<T> GetListState<T>(string name, IStateSerializer<T>? serializer) =>
        GetOrCreate(name, () => new ListTable<TKey, T>(this, serializer ?? StateSerializers.Default<T>()));

    public IMapState<TMapKey, TValue> GetMapState<TMapKey, TValue>(string name, IStateSerializer<TMapKey>? keySerializer, IStateSerializer<TValue>? valueSerializer)
        where TMapKey : notnull =>
        GetOrCreate(name, () => new MapTable<TKey, TMapKey, TValue>(this, keySerializer ?? StateSerializers.Default<TMapKey>(), valueSerializer ?? StateSerializers.Default<TValue>()));

    public void Snapshot(BinaryWriter writer)
    {
        // Tables opened in this run, plus restored tables nobody opened yet (kept, not dropped).
        writer.Write(_tables.Count + _restored.Count);
        foreach (var (name, table) in _tables)
        {
            writer.Write(name);
            using var buffer = new MemoryStream();
            using (var section = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                table.Snapshot(section);
            }

            writer.Write((int)buffer.Length);
            writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        foreach (var (name, sections) in _restored)
        {
            writer.Write(name);
            using var buffer = new MemoryStream();
            using (var section = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                // Carry the raw sections forward: re-filtered on the next restore.
                section.Write(-sections.Count);
                foreach (var raw in sections)
                {
                    section.Write(raw.Length);
                    section.Write(raw);
                }
            }

            writer.Write((int)buffer.Length);
            writer.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    public void Restore(IReadOnlyList<BinaryReader> snapshots)
    {
        foreach (var reader in snapshots)
        {
            var tables = reader.ReadInt32();
            for (var t = 0; t < tables; t++)
            {
                var name = reader.ReadString();
                var section = reader.ReadBytes(reader.ReadInt32());
                AddRestored(name, section);
            }
        }
    }

    private void AddRestored(string name, byte[] section)
    {
        // A section that starts with a negative count holds raw sections carried over from an earlier restore.
        using (var reader = new BinaryReader(new MemoryStream(section)))
        {
            var first = reader.ReadInt32();
            if (first < 0)
            {
                for (var i = 0; i < -first; i++)
                {
                    AddRestored(name, reader.ReadBytes(reader.ReadInt32()));
                }

                return;
            }
        }

        if (!_restored.TryGetValue(name, out var list))
        {
            _restored[name] = list = [];
        }

        list.Add(section);
    }

    private TState GetOrCreate<TState>(string name, Func<TState> create)
        where TState : class, IStateTable
    {
        if (_tables.TryGetValue(name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException($"state '{name}' was already opened as a {existing.GetType().Name}");
        }

        var table = create();
        _tables[name] = table;
        if (_restored.Remove(name, out var sections))
        {
            foreach (var section in sections)
            {
                using var reader = new BinaryReader(new MemoryStream(section));
                table.Restore(reader);
            }
        }

        return table;
    }
}

internal interface IStateTable
{
    void Snapshot(BinaryWriter writer);

    /// <summary>Adds the entries of one snapshot section that this subtask owns.</summary>
    void Restore(BinaryReader reader);
}

internal sealed class ValueTable<TKey, T>(KeyedStateBackend<TKey> backend, IStateSerializer<T> serializer) : IValueState<T>, IStateTable
    where TKey : notnull
{
    private readonly Dictionary<TKey, T> _values = new(backend.Comparer);

    public T Value
    {
        get => _values.TryGetValue(backend.CurrentKey, out var value) ? value : default!;
        set => _values[backend.CurrentKey] = value;
    }

    public bool HasValue => _values.ContainsKey(backend.CurrentKey);

    public void Clear() => _values.Remove(backend.CurrentKey);

    public void Snapshot(BinaryWriter writer)
    {
        writer.Write(_values.Count);
        foreach (var (key, value) in _values)
        {
            backend.KeySerializer.Write(writer, key);
            serializer.Write(writer, value);
        }
    }

    public void Restore(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = backend.KeySerializer.Read(reader);
            var value = serializer.Read(reader);
            if (backend.Owns(key))
            {
                _values[key] = value;
            }
        }
    }
}

internal sealed class ListTable<TKey, T>(KeyedStateBackend<TKey> backend, IStateSerializer<T> serializer) : IListState<T>, IStateTable
    where TKey : notnull
{
    private readonly Dictionary<TKey, List<T>> _lists = new(backend.Comparer);

    public IReadOnlyList<T> Get() => _lists.TryGetValue(backend.CurrentKey, out var list) ? list : [];

    public void Add(T value) => Current().Add(value);

    public void AddRange(IEnumerable<T> values) => Current().AddRange(values);

    public void Update(IEnumerable<T> values)
    {
        var list = new List<T>(values);
        if (list.Count == 0)
        {
            Clear();
        }
        else
        {
            _lists[backend.CurrentKey] = list;
        }
    }

    public void Clear() => _lists.Remove(backend.CurrentKey);

    private List<T> Current()
    {
        if (!_lists.TryGetValue(backend.CurrentKey, out var list))
        {
            _lists[backend.CurrentKey] = list = [];
        }

        return list;
    }

    public void Snapshot(BinaryWriter writer)
    {
        writer.Write(_lists.Count);
        foreach (var (key, list) in _lists)
        {
            backend.KeySerializer.Write(writer, key);
            writer.Write(list.Count);
            foreach (var item in list)
            {
                serializer.Write(writer, item);
            }
        }
    }

    public void Restore(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = backend.KeySerializer.Read(reader);
            var items = reader.ReadInt32();
            var list = new List<T>(items);
            for (var j = 0; j < items; j++)
            {
                list.Add(serializer.Read(reader));
            }

            if (backend.Owns(key))
            {
                _lists[key] = list;
            }
        }
    }
}

internal sealed class MapTable<TKey, TMapKey, TValue>(KeyedStateBackend<TKey> backend, IStateSerializer<TMapKey> keySerializer, IStateSerializer<TValue> valueSerializer)
    : IMapState<TMapKey, TValue>, IStateTable
    where TKey : notnull
    where TMapKey : notnull
{
    private readonly Dictionary<TKey, Dictionary<TMapKey, TValue>> _maps = new(backend.Comparer);

    public TValue this[TMapKey key]
    {
        get => _maps.TryGetValue(backend.CurrentKey, out var map) ? map[key] : throw new KeyNotFoundException($"no entry '{key}' for the current key");
        set => Current()[key] = value;
    }

    public int Count => _maps.TryGetValue(backend.CurrentKey, out var map) ? map.Count : 0;

    public IEnumerable<KeyValuePair<TMapKey, TValue>> Entries =>
        _maps.TryGetValue(backend.CurrentKey, out var map) ? map : [];

    public bool TryGetValue(TMapKey key, out TValue value)
    {
        if (_maps.TryGetValue(backend.CurrentKey, out var map))
        {
            return map.TryGetValue(key, out value!);
        }

        value = default!;
        return false;
    }

    public bool ContainsKey(TMapKey key) => _maps.TryGetValue(backend.CurrentKey, out var map) && map.ContainsKey(key);

    public bool Remove(TMapKey key)
    {
        if (!_maps.TryGetValue(backend.CurrentKey, out var map) || !map.Remove(key))
        {
            return false;
        }

        if (map.Count == 0)
        {
            _maps.Remove(backend.CurrentKey);
        }

        return true;
    }

    public void Clear() => _maps.Remove(backend.CurrentKey);

    private Dictionary<TMapKey, TValue> Current()
    {
        if (!_maps.TryGetValue(backend.CurrentKey, out var map))
        {
            _maps[backend.CurrentKey] = map = [];
        }

        return map;
    }

    public void Snapshot(BinaryWriter writer)
    {
        writer.Write(_maps.Count);
        foreach (var (key, map) in _maps)
        {
            backend.KeySerializer.Write(writer, key);
            writer.Write(map.Count);
            foreach (var (entryKey, entryValue) in map)
            {
                keySerializer.Write(writer, entryKey);
                valueSerializer.Write(writer, entryValue);
            }
        }
    }

    public void Restore(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = backend.KeySerializer.Read(reader);
            var entries = reader.ReadInt32();
            var map = new Dictionary<TMapKey, TValue>(entries);
            for (var j = 0; j < entries; j++)
            {
                var entryKey = keySerializer.Read(reader);
                map[entryKey] = valueSerializer.Read(reader);
            }

            if (backend.Owns(key))
            {
                _maps[key] = map;
            }
        }
    }
}
