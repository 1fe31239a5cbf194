using Microsoft.Extensions.Logging.Abstractions;
using Weir.Broker.Groups;
using Weir.Testing;

namespace Weir.Broker.Tests.Groups;

public sealed class OffsetStoreTests
{
    [Fact]
    public void Committed_offsets_survive_a_reopen()
    {
        using var directory = new TempDirectory("offsets");
        using (var store = OffsetStore.Open(directory.Path, NullLogger.Instance))
        {
            store.Commit("g", [("t", 0, new CommittedOffset(10, 0, "m", 1)), ("t", 1, new CommittedOffset(20, 0, null, 1))]);
            store.Commit("g", [("t", 0, new CommittedOffset(15, 0, "n", 2))]);
            store.Commit("other", [("u", 3, new CommittedOffset(7, -1, null, 3))]);
            store.DeleteGroup("other");
        }

        using var reopened = OffsetStore.Open(directory.Path, NullLogger.Instance);

        Assert.True(reopened.TryGet("g", "t", 0, out var first));
        Assert.Equal(new CommittedOffset(15, 0, "n", 2), first);
        Assert.True(reopened.TryGet("g", "t", 1, out var second));
        Assert.Equal(20, second.Offset);
        Assert.False(reopened.TryGet("other", "u", 3, out _));
        Assert.Equal(["g"], reopened.Groups);
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_and_the_rest_kept()
    {
        using var directory = new TempDirectory("offsets");
        using (var store = OffsetStore.Open(directory.Path, NullLogger.Instance))
        {
            store.Commit("g", [("t", 0, new CommittedOffset(1, 0, null, 1))]);
            store.Commit("g", [("t", 0, new CommittedOffset(2, 0, null, 2))]);
        }

        var path = directory.Combine("offsets.log");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        using var reopened = OffsetStore.Open(directory.Path, NullLogger.Instance);

        Assert.True(reopened.TryGet("g", "t", 0, out var offset));
        Assert.Equal(1, offset.Offset);
    }

    [Fact]
    public void A_corrupt_record_ends_the_replay_at_that_point()
    {
        using var directory = new TempDirectory("offsets");
        using (var store = OffsetStore.Open(directory.Path, NullLogger.Instance))
        {
            store.Commit("g", [("t", 0, new CommittedOffset(1, 0, null, 1))]);
            store.Commit("g", [("t", 0, new CommittedOffset(2, 0, null, 2))]);
        }

        var path = directory.Combine("offsets.log");
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        using var reopened = OffsetStore.Open(directory.Path, NullLogger.Instance);

        Assert.True(reopened.TryGet("g", "t", 0, out var offset));
        Assert.Equal(1, offset.Offset);
    }
}
