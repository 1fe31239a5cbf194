using System.Security.Cryptography;
using System.Text;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// The fingerprint id: a name-based (version 5, SHA-1) UUID of "equip_id/start_ms/end_ms", so that a replay or a
/// restart produces the same id for the same window and consumers can deduplicate. The original drew uuid4.
/// Python: <c>uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "weir:fingerprint"), f"{equip}/{start}/{end}")</c>.
/// </summary>
internal static class FingerprintUuid
{
    /// <summary>RFC 4122 NAMESPACE_URL, 6ba7b811-9dad-11d1-80b4-00c04fd430c8, in network byte order.</summary>
    private static readonly byte[] UrlNamespace = Convert.FromHexString("6ba7b8119dad11d180b400c04fd430c8");

    /// <summary>uuid5(NAMESPACE_URL, "weir:fingerprint").</summary>
    public static readonly byte[] Namespace = Version5(UrlNamespace, "weir:fingerprint");

    public static string For(string equipId, long startMs, long endMs) =>
        Format(Version5(Namespace, $"{equipId}/{startMs}/{endMs}"));

    public static byte[] Version5(ReadOnlySpan<byte> namespaceId, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[namespaceId.Length + nameBytes.Length];
        namespaceId.CopyTo(input);
        nameBytes.CopyTo(input, namespaceId.Length);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 is defined with; it names, it does not protect.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        var id = hash[..16].ToArray();
        id[6] = (byte)((id[6] & 0x0F) | 0x50);
        id[8] = (byte)((id[8] & 0x3F) | 0x80);
        return id;
    }

    public static string Format(ReadOnlySpan<byte> id)
    {
        var hex = Convert.ToHexStringLower(id);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
