namespace Weir.Streams;

/// <summary>
/// Incremental aggregation: one accumulator per key and window, updated as records arrive, so a window holds
/// one small value instead of its records. Use a struct accumulator for the cheapest path; it is updated in place.
/// </summary>
public interface IAggregateFunction<in TIn, TAcc, out TOut>
{
    TAcc CreateAccumulator();

    void Add(ref TAcc accumulator, TIn value);

    TOut GetResult(TAcc accumulator);
}

/// <summary>Builds aggregate functions from lambdas.</summary>
public static class AggregateFunction
{
    /// <summary>An aggregate from three lambdas: a new accumulator, add a record, read the result.</summary>
    public static IAggregateFunction<TIn, TAcc, TOut> Create<TIn, TAcc, TOut>(Func<TAcc> create, Func<TAcc, TIn, TAcc> add, Func<TAcc, TOut> result)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(result);
        return new LambdaAggregate<TIn, TAcc, TOut>(create, add, result);
    }

    /// <summary>Combines records pairwise (a sum, a max): the result is a record of the same type.</summary>
    public static IAggregateFunction<T, ReduceAccumulator<T>, T> Reduce<T>(Func<T, T, T> reduce)
    {
        ArgumentNullException.ThrowIfNull(reduce);
        return new ReduceAggregate<T>(reduce);
    }

    private sealed class LambdaAggregate<TIn, TAcc, TOut>(Func<TAcc> create, Func<TAcc, TIn, TAcc> add, Func<TAcc, TOut> result) : IAggregateFunction<TIn, TAcc, TOut>
    {
        public TAcc CreateAccumulator() => create();

        public void Add(ref TAcc accumulator, TIn value) => accumulator = add(accumulator, value);

        public TOut GetResult(TAcc accumulator) => result(accumulator);
    }

    private sealed class ReduceAggregate<T>(Func<T, T, T> reduce) : IAggregateFunction<T, ReduceAccumulator<T>, T>
    {
        public ReduceAccumulator<T> CreateAccumulator() => default;

        public void Add(ref ReduceAccumulator<T> accumulator, T value)
        {
            accumulator.Value = accumulator.HasValue ? reduce(accumulator.Value, value) : value;
            accumulator.HasValue = true;
        }

        public T GetResult(ReduceAccumulator<T> accumulator) => accumulator.Value;
    }
}

/// <summary>The accumulator of <see cref="AggregateFunction.Reduce{T}"/>: the value so far, if any.</summary>
public struct ReduceAccumulator<T>
{
    public T Value;
    public bool HasValue;
}
