namespace Weir.Streams;

/// <summary>
/// Names a side output: a second stream an operator can emit to (late records, records that failed a check).
/// Read it with <see cref="DataStream{T}.GetSideOutput{TSide}(OutputTag{TSide})"/>. Tags are equal when their ids are.
/// </summary>
public sealed class OutputTag<T> : IEquatable<OutputTag<T>>
{
    public OutputTag(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    public string Id { get; }

    public bool Equals(OutputTag<T>? other) => other is not null && other.Id == Id;

    public override bool Equals(object? obj) => obj is OutputTag<T> other && Equals(other);

    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"OutputTag({Id})";
}
