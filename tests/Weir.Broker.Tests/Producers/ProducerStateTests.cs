using Weir.Broker.Producers;
using Weir.Broker.Protocol;
using Weir.Broker.Storage;
using Weir.Testing;

namespace Weir.Broker.Tests.Producers;

public sealed class ProducerStateTests
{
    [Fact]
    public void Sequences_must_follow_on_within_an_epoch()
    {
        var state = new ProducerState();
        Accept(state, Batch(pid: 7, epoch: 0, seq: 0, records: 3), offset: 0);

        Assert.Equal(ErrorCode.None, state.Check(Batch(7, 0, 3, 2), out _));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, state.Check(Batch(7, 0, 4, 2), out _));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, state.Check(Batch(7, 0, 1, 2), out _));
    }

    [Fact]
    public void A_retried_batch_is_recognised_with_its_original_offset()
    {
        var state = new ProducerState();
        Accept(state, Batch(7, 0, 0, 3), offset: 100);
        Accept(state, Batch(7, 0, 3, 3), offset: 103);

        Assert.Equal(ErrorCode.DuplicateSequenceNumber, state.Check(Batch(7, 0, 0, 3), out var original));
        Assert.Equal(100, original);
    }

    [Fact]
    public void Only_the_last_five_batches_are_remembered()
    {
        var state = new ProducerState();
        for (var i = 0; i < 6; i++)
        {
            Accept(state, Batch(7, 0, i, 1), offset: i);
        }

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, state.Check(Batch(7, 0, 0, 1), out _));
        Assert.Equal(ErrorCode.DuplicateSequenceNumber, state.Check(Batch(7, 0, 1, 1), out _));
    }

    [Fact]
    public void Epochs_fence_old_producers_and_a_new_epoch_starts_at_zero()
    {
        var state = new ProducerState();
        Accept(state, Batch(7, 1, 0, 1), offset: 0);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, state.Check(Batch(7, 0, 1, 1), out _));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, state.Check(Batch(7, 2, 5, 1), out _));
        Assert.Equal(ErrorCode.None, state.Check(Batch(7, 2, 0, 1), out _));
    }

    [Fact]
    public void An_unknown_producer_may_start_at_any_sequence()
    {
        Assert.Equal(ErrorCode.None, new ProducerState().Check(Batch(9, 0, 42, 1), out _));
    }

    [Fact]
    public void Sequences_wrap_after_int_max()
    {
        var state = new ProducerState();
        Accept(state, Batch(7, 0, int.MaxValue - 1, 2), offset: 0);

        Assert.Equal(ErrorCode.None, state.Check(Batch(7, 0, 0, 1), out _));
        Assert.Equal(1, ProducerState.IncrementSequence(int.MaxValue, 2));
    }

    [Fact]
    public void A_snapshot_restores_the_state()
    {
        using var directory = new TempDirectory("producers");
        var path = directory.Combine("producer-state");
        var state = new ProducerState();
        Accept(state, Batch(7, 0, 0, 3), offset: 10);
        state.WriteSnapshot(path, 13);

        var restored = new ProducerState();

        Assert.Equal(13, restored.ReadSnapshot(path));
        Assert.Equal(ErrorCode.DuplicateSequenceNumber, restored.Check(Batch(7, 0, 0, 3), out var original));
        Assert.Equal(10, original);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal(-1, restored.ReadSnapshot(path));
        Assert.Equal(0, restored.Count);
    }

    private static void Accept(ProducerState state, RecordBatch batch, long offset)
    {
        Assert.Equal(ErrorCode.None, state.Check(batch, out _));
        state.Update(batch, offset);
    }

    private static RecordBatch Batch(long pid, short epoch, int seq, int records) =>
        new(TestBatches.Build(Enumerable.Range(0, records).Select(i => ($"v{i}", 0L)).ToArray(), producerId: pid, producerEpoch: epoch, baseSequence: seq));
}
