namespace Weir.Streams.Runtime;

internal enum ElementKind : byte
{
    Records,
    Watermark,
    Idle,
    Active,
    Barrier,
    EndOfInput,
}

/// <summary>
/// What travels through a channel: a batch of records or one control event (watermark, idleness, checkpoint
/// barrier, end of input). Control events travel in-band, so they stay ordered with the records around them.
/// </summary>
internal readonly struct StreamElement<T>
{
    private StreamElement(ElementKind kind, Batch<T>? batch, long value)
    {
        Kind = kind;
        Batch = batch;
        Value = value;
    }

    public ElementKind Kind { get; }

    public Batch<T>? Batch { get; }

    /// <summary>The watermark, or the checkpoint id of a barrier.</summary>
    public long Value { get; }

    public static StreamElement<T> Records(Batch<T> batch) => new(ElementKind.Records, batch, 0);

    public static StreamElement<T> Control(ElementKind kind, long value = 0) => new(kind, null, value);
}

/// <summary>
/// A batch of records in column form (values and their timestamps), reused through its channel's pool: a batch
/// crosses a thread boundary once and goes back to the sender's pool when the receiver is done with it.
/// </summary>
internal sealed class Batch<T>
{
    public Batch(int capacity)
    {
        Values = new T[capacity];
        Timestamps = new long[capacity];
    }

    public T[] Values { get; }

    public long[] Timestamps { get; }

    public int Count { get; set; }

    public bool IsFull => Count == Values.Length;

    /// <summary>First time (TimeProvider timestamp) a record went into this batch; drives the buffer timeout.</summary>
    public long FirstRecordAt { get; set; }

    public void Clear()
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(Values, 0, Count);
        }

        Count = 0;
    }
}
