using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Weir.Streams.Windows;

namespace Weir.Streams;

/// <summary>
/// Ids that are the same every time the same result is produced, so a consumer can recognise a result that a
/// restarted job wrote again (after a restart from a checkpoint, results emitted after that checkpoint are
/// emitted once more). Name-based UUIDs (RFC 9562 version 5, SHA-1) in Weir's own namespace.
/// </summary>
public static class DeterministicId
{
    /// <summary>The namespace of every Weir id: a fixed version-4 UUID.</summary>
    public static readonly Guid Namespace = new("6f2b7c1e-3a0d-4c57-9d2a-8b1e5f4c9a30");

    /// <summary>An id from parts joined with '\u001f' (parts are formatted with the invariant culture).</summary>
    public static Guid From(params object?[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var text = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                text.Append('\u001f');
            }

            text.Append(Convert.ToString(parts[i], CultureInfo.InvariantCulture));
        }

        return NameBased(Namespace, text.ToString());
    }

    /// <summary>The id of a time-window result: job, key, window start and end.</summary>
    public static Guid ForWindow<TKey>(string job, TKey key, TimeWindow window) => From(job, key, window.Start, window.End);

    /// <summary>The id of a count-window result: job, key and the window's sequence number for that key.</summary>
    public static Guid ForWindow<TKey>(string job, TKey key, CountWindow window) => From(job, key, "count", window.Sequence);

    /// <summary>A version-5 UUID of <paramref name="name"/> in <paramref name="namespaceId"/> (RFC 9562 §5.5).</summary>
    public static Guid NameBased(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
