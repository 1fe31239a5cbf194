using Parquet;
using Parquet.Schema;

namespace Weir.Connectors.Parquet;

/// <summary>
/// Reads the columns of a <see cref="RecordSchema"/> from Parquet files, by name, whoever wrote them (Weir, Spark,
/// Arrow). Extra columns are ignored; a missing column or one of another physical type is an error that names the
/// file. Rows with a null in any schema column (Spark writes nullable columns) are skipped and counted.
/// </summary>
public static class ParquetTableReader
{
    /// <summary>Appends every row of <paramref name="path"/> to <paramref name="into"/>; returns the number of rows skipped for nulls.</summary>
    public static async Task<long> ReadAsync(string path, ColumnBatch into, CancellationToken cancellationToken = default)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await ReadAsync(stream, into, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }
    }

    /// <summary>Appends every row of the Parquet file in <paramref name="input"/> to <paramref name="into"/>.</summary>
    public static async Task<long> ReadAsync(Stream input, ColumnBatch into, CancellationToken cancellationToken = default)
    {
        var schema = into.Schema;
        var reader = await ParquetReader.CreateAsync(input, null, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
        long skipped = 0;
        await using (reader.ConfigureAwait(false))
        {
            var fields = new DataField[schema.Columns.Count];
            var fileFields = reader.Schema.GetDataFields();
            for (var c = 0; c < fields.Length; c++)
            {
                var spec = schema.Columns[c];
                fields[c] = Array.Find(fileFields, f => f.Name == spec.Name)
                    ?? throw new InvalidDataException($"column '{spec.Name}' is missing (the file has {string.Join(", ", fileFields.Select(f => f.Name))})");
                var expected = ClrType(spec.Type);
                if (fields[c].ClrType != expected)
                {
                    throw new InvalidDataException($"column '{spec.Name}' holds {fields[c].ClrType.Name}, expected {expected.Name}");
                }
            }

            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var rowGroup = reader.OpenRowGroupReader(g);
                var rows = checked((int)rowGroup.RowCount);
                var start = into.Count;
                into.SetCount(start + rows);
                var valid = new bool[rows];
                Array.Fill(valid, true);
                for (var c = 0; c < fields.Length; c++)
                {
                    await ReadColumnAsync(rowGroup, fields[c], into, c, start, rows, valid, cancellationToken).ConfigureAwait(false);
                }

                skipped += Compact(into, start, rows, valid);
            }
        }

        return skipped;
    }

    private static async Task ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, ColumnBatch into, int column, int start, int rows, bool[] valid, CancellationToken cancellationToken)
    {
        switch (into.Schema.Columns[column].Type)
        {
            case ColumnType.Int32:
                await ReadValuesAsync(rowGroup, field, into.Column<int>(column).AsMemory(start, rows), valid, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Int64:
                await ReadValuesAsync(rowGroup, field, into.Column<long>(column).AsMemory(start, rows), valid, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Float32:
                await ReadValuesAsync(rowGroup, field, into.Column<float>(column).AsMemory(start, rows), valid, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Float64:
                await ReadValuesAsync(rowGroup, field, into.Column<double>(column).AsMemory(start, rows), valid, cancellationToken).ConfigureAwait(false);
                break;
            case ColumnType.Timestamp:
                await ReadValuesAsync(rowGroup, field, into.Column<DateTime>(column).AsMemory(start, rows), valid, cancellationToken).ConfigureAwait(false);
                var stamps = into.Column<DateTime>(column).AsSpan(start, rows);
                for (var i = 0; i < stamps.Length; i++)
                {
                    // INT96 and non-UTC-adjusted timestamps come back as Unspecified; Weir treats every instant as UTC.
                    stamps[i] = DateTime.SpecifyKind(stamps[i], DateTimeKind.Utc);
                }

                break;
            case ColumnType.String:
                var strings = new string?[rows];
                await rowGroup.ReadAsync(field, strings.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < rows; i++)
                {
                    if (strings[i] is null)
                    {
                        valid[i] = false;
                    }
                }

                strings.CopyTo(into.Column<string?>(column), start);
                break;
            default:
                throw new InvalidOperationException($"unknown column type {into.Schema.Columns[column].Type}");
        }
    }

    private static async Task ReadValuesAsync<T>(ParquetRowGroupReader rowGroup, DataField field, Memory<T> target, bool[] valid, CancellationToken cancellationToken)
        where T : struct
    {
        if (!field.IsNullable)
        {
            await rowGroup.ReadAsync(field, target, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        var nullable = new T?[target.Length];
        await rowGroup.ReadAsync(field, nullable.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var span = target.Span;
        for (var i = 0; i < nullable.Length; i++)
        {
            if (nullable[i] is { } value)
            {
                span[i] = value;
            }
            else
            {
                valid[i] = false;
            }
        }
    }

    /// <summary>Removes the rows marked invalid from [start, start+rows); returns how many were removed.</summary>
    private static int Compact(ColumnBatch batch, int start, int rows, bool[] valid)
    {
        var kept = 0;
        for (var i = 0; i < rows; i++)
        {
            if (!valid[i])
            {
                continue;
            }

            if (kept != i)
            {
                for (var c = 0; c < batch.Schema.Columns.Count; c++)
                {
                    var column = batch.ColumnArray(c);
                    Array.Copy(column, start + i, column, start + kept, 1);
                }
            }

            kept++;
        }

        batch.SetCount(start + kept);
        return rows - kept;
    }

    private static Type ClrType(ColumnType type) => type switch
    {
        ColumnType.Int32 => typeof(int),
        ColumnType.Int64 => typeof(long),
        ColumnType.Float32 => typeof(float),
        ColumnType.Float64 => typeof(double),
        ColumnType.String => typeof(string),
        ColumnType.Timestamp => typeof(DateTime),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
    };
}
