namespace Weir.Connectors.Parquet;

/// <summary>
/// Rows of a <see cref="RecordSchema"/> held column by column (one array per column), the shape Parquet is written
/// and read in. Arrays grow by doubling and are reused after <see cref="Clear"/>, so steady-state decoding
/// allocates nothing per record except string values.
/// </summary>
public sealed class ColumnBatch
{
    private readonly Array[] _columns;

    public ColumnBatch(RecordSchema schema, int capacity = 1024)
    {
        Schema = schema;
        _columns = new Array[schema.Columns.Count];
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = Allocate(schema.Columns[i].Type, Math.Max(capacity, 1));
        }
    }

    public RecordSchema Schema { get; }

    /// <summary>Number of complete rows.</summary>
    public int Count { get; private set; }

    public int Capacity => _columns[0].Length;

    public Span<int> Int32s(int column) => Column<int>(column).AsSpan(0, Count);

    public Span<long> Int64s(int column) => Column<long>(column).AsSpan(0, Count);

    public Span<float> Float32s(int column) => Column<float>(column).AsSpan(0, Count);

    public Span<double> Float64s(int column) => Column<double>(column).AsSpan(0, Count);

    public Span<string> Strings(int column) => Column<string>(column).AsSpan(0, Count);

    /// <summary>Timestamps as UTC <see cref="DateTime"/> values.</summary>
    public Span<DateTime> Timestamps(int column) => Column<DateTime>(column).AsSpan(0, Count);

    public void Clear()
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_columns[i] is string[] strings)
            {
                Array.Clear(strings, 0, Count); // let the GC have them
            }
        }

        Count = 0;
    }

    /// <summary>Appends the rows [start, start+count) of <paramref name="source"/> (same schema).</summary>
    public void AppendFrom(ColumnBatch source, int start, int count)
    {
        if (!ReferenceEquals(source.Schema, Schema))
        {
            throw new ArgumentException("batches have different schemas", nameof(source));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, source.Count);
        EnsureCapacity(Count + count);
        for (var i = 0; i < _columns.Length; i++)
        {
            Array.Copy(source._columns[i], start, _columns[i], Count, count);
        }

        Count += count;
    }

    internal T[] Column<T>(int column) => (T[])_columns[column];

    internal Array ColumnArray(int column) => _columns[column];

    /// <summary>Makes room for one more row; the decoder fills slot <see cref="Count"/> and then calls <see cref="CommitRow"/>.</summary>
    internal void EnsureRoomForOne()
    {
        if (Count == Capacity)
        {
            EnsureCapacity(Count + 1);
        }
    }

    internal void CommitRow() => Count++;

    internal void SetCount(int count)
    {
        EnsureCapacity(count);
        Count = count;
    }

    internal void EnsureCapacity(int needed)
    {
        if (needed <= Capacity)
        {
            return;
        }

        var size = Math.Max(needed, Capacity * 2);
        for (var i = 0; i < _columns.Length; i++)
        {
            var grown = Allocate(Schema.Columns[i].Type, size);
            Array.Copy(_columns[i], grown, Count);
            _columns[i] = grown;
        }
    }

    private static Array Allocate(ColumnType type, int length) => type switch
    {
        ColumnType.Int32 => new int[length],
        ColumnType.Int64 => new long[length],
        ColumnType.Float32 => new float[length],
        ColumnType.Float64 => new double[length],
        ColumnType.String => new string[length],
        ColumnType.Timestamp => new DateTime[length],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
    };
}
