using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Weir.Broker.Storage;

/// <summary>
/// A sorted, sparse, append-only index of (key, value) pairs, kept in memory and mirrored in a file so that a
/// restart does not need to scan the log. Used twice per segment: the offset index (relative offset → file
/// position, 8 bytes an entry, keys stored as int32) and the time index (max timestamp so far → relative offset,
/// 12 bytes an entry). The file is a cache: recovery rebuilds it from the log when it looks wrong.
/// </summary>
internal sealed class SparseIndex : IDisposable
{
    private readonly string _path;
    private readonly int _keySize;
    private long[] _keys = new long[64];
    private int[] _values = new int[64];
    private int _count;
    private SafeFileHandle? _file;

    private SparseIndex(string path, int keySize)
    {
        _path = path;
        _keySize = keySize;
    }

    public int Count => Volatile.Read(ref _count);

    public long LastKey => _count == 0 ? long.MinValue : _keys[_count - 1];

    public int LastValue => _count == 0 ? 0 : _values[_count - 1];

    private int EntrySize => _keySize + sizeof(int);

    /// <summary>Opens an index file; returns false (with an empty index) when its content is not a valid index.</summary>
    public static bool TryLoad(string path, int keySize, out SparseIndex index)
    {
        index = new SparseIndex(path, keySize);
        if (!File.Exists(path))
        {
            index.OpenFile(truncate: true);
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        var valid = bytes.Length % index.EntrySize == 0;
        for (var at = 0; valid && at < bytes.Length; at += index.EntrySize)
        {
            var key = keySize == 4 ? BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(at));
            var value = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + keySize));
            valid = value >= 0 && (index._count == 0 || (key >= index.LastKey && value >= index.LastValue));
            if (valid)
            {
                index.AddInMemory(key, value);
            }
        }

        if (!valid)
        {
            index._count = 0;
        }

        index.OpenFile(truncate: !valid);
        return valid;
    }

    public static SparseIndex CreateEmpty(string path, int keySize)
    {
        var index = new SparseIndex(path, keySize);
        index.OpenFile(truncate: true);
        return index;
    }

    public void Append(long key, int value)
    {
        Span<byte> entry = stackalloc byte[12];
        if (_keySize == 4)
        {
            BinaryPrimitives.WriteInt32BigEndian(entry, checked((int)key));
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(entry, key);
        }

        BinaryPrimitives.WriteInt32BigEndian(entry[_keySize..], value);
        RandomAccess.Write(_file!, entry[..EntrySize], (long)_count * EntrySize);
        AddInMemory(key, value);
    }

    /// <summary>The entry with the largest key not above <paramref name="key"/>; false when every key is larger.</summary>
    public bool TryFloor(long key, out long foundKey, out int value)
    {
        var count = Volatile.Read(ref _count);
        var keys = _keys;
        var values = _values;
        int lo = 0, hi = count - 1, best = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (keys[mid] <= key)
            {
                best = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (best < 0)
        {
            foundKey = 0;
            value = 0;
            return false;
        }

        foundKey = keys[best];
        value = values[best];
        return true;
    }

    /// <summary>The last entry whose key is strictly below <paramref name="key"/>.</summary>
    public bool TryLower(long key, out long foundKey, out int value) => TryFloor(key - 1, out foundKey, out value);

    public void Flush()
    {
        if (_file is { IsClosed: false } file)
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    public void Dispose() => _file?.Dispose();

    private void OpenFile(bool truncate)
    {
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (truncate)
        {
            RandomAccess.SetLength(_file, 0);
        }
    }

    private void AddInMemory(long key, int value)
    {
        if (_count == _keys.Length)
        {
            // Readers may hold the old arrays; they stay valid for the entries they can see.
            var keys = new long[_keys.Length * 2];
            var values = new int[_values.Length * 2];
            _keys.AsSpan().CopyTo(keys);
            _values.AsSpan().CopyTo(values);
            _values = values;
            _keys = keys;
        }

        _keys[_count] = key;
        _values[_count] = value;
        Volatile.Write(ref _count, _count + 1);
    }
}
