using System.Runtime.CompilerServices;

namespace Weir.Streams.Runtime;

/// <summary>
/// Keyed state is split into key groups (as in Flink): key → stable hash → key group in [0, maxParallelism) →
/// subtask. A subtask owns a contiguous range of key groups, so a checkpoint taken at one parallelism can be
/// restored at another: each subtask keeps the entries whose key group falls in its new range.
/// </summary>
internal static class KeyGroups
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyGroupFor(int keyHash, int maxParallelism) => (int)((uint)Murmur(keyHash) % (uint)maxParallelism);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SubtaskFor(int keyGroup, int maxParallelism, int parallelism) => keyGroup * parallelism / maxParallelism;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SubtaskForHash(int keyHash, int maxParallelism, int parallelism) =>
        SubtaskFor(KeyGroupFor(keyHash, maxParallelism), maxParallelism, parallelism);

    /// <summary>The murmur3 finaliser: spreads poor hash codes (small ints) over all key groups.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Murmur(int code)
    {
        var h = (uint)code;
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return (int)h;
    }
}

/// <summary>
/// The comparer keyed operators use for a key type: equality for state lookups and the hash that picks the key
/// group. Strings get an ordinal comparer with a hash that is the same in every process (string.GetHashCode is
/// randomised per process in .NET), so a key lands in the same subtask after a restart; integers, Guids and enums
/// hash by value already. Other types use their own GetHashCode: correct within a process, and restores re-check
/// every entry's key group rather than trusting the one stored in the checkpoint. Pass a comparer to KeyBy to
/// choose otherwise.
/// </summary>
internal static class KeyComparer<TKey>
{
    public static readonly IEqualityComparer<TKey> Default = typeof(TKey) == typeof(string)
        ? (IEqualityComparer<TKey>)(object)StableStringComparer.Instance
        : EqualityComparer<TKey>.Default;
}

/// <summary>Ordinal string equality with an FNV-1a hash that does not change between processes.</summary>
internal sealed class StableStringComparer : IEqualityComparer<string>
{
    public static readonly StableStringComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
