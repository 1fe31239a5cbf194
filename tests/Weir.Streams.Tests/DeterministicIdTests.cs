using Weir.Streams.Windows;

namespace Weir.Streams.Tests;

public sealed class DeterministicIdTests
{
    [Fact]
    public void Name_based_ids_match_rfc_9562_version_5()
    {
        // RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), DeterministicId.NameBased(dns, "www.example.com"));
    }

    [Fact]
    public void The_same_window_result_gets_the_same_id_and_another_one_does_not()
    {
        var id = DeterministicId.ForWindow("fingerprint", 3, new TimeWindow(60_000, 120_000));
        Assert.Equal(id, DeterministicId.ForWindow("fingerprint", 3, new TimeWindow(60_000, 120_000)));
        Assert.NotEqual(id, DeterministicId.ForWindow("fingerprint", 3, new TimeWindow(120_000, 180_000)));
        Assert.NotEqual(id, DeterministicId.ForWindow("fingerprint", 4, new TimeWindow(60_000, 120_000)));
        Assert.NotEqual(DeterministicId.From("a", "bc"), DeterministicId.From("ab", "c"));
        Assert.Equal(5, id.Version);
    }
}
