using Weir.Streams;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// The fingerprint id: a name-based (version 5) UUID of "equip_id/start_ms/end_ms", so that a replay or a
/// restart produces the same id for the same window and consumers can deduplicate. The original drew uuid4.
/// Python: <c>uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "weir:fingerprint"), f"{equip}/{start}/{end}")</c>.
/// </summary>
internal static class FingerprintUuid
{
    /// <summary>uuid5(NAMESPACE_URL, "weir:fingerprint"), NAMESPACE_URL being RFC 4122's 6ba7b811-9dad-11d1-80b4-00c04fd430c8.</summary>
    public static readonly Guid Namespace = DeterministicId.NameBased(new Guid("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "weir:fingerprint");

    public static string For(string equipId, long startMs, long endMs) =>
        DeterministicId.NameBased(Namespace, $"{equipId}/{startMs}/{endMs}").ToString();
}
