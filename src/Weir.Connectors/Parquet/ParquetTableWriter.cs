using System.IO.Compression;
using Parquet;
using Parquet.Schema;

namespace Weir.Connectors.Parquet;

/// <summary>
/// Writes rows of a <see cref="ColumnBatch"/> as a Parquet file (one row group, required columns, Snappy pages as
/// Spark writes by default; timestamps as INT64 TIMESTAMP(MICROS, UTC)). Parquet.Net does the encoding.
/// </summary>
public static class ParquetTableWriter
{
    /// <summary>The Parquet schema Weir writes for <paramref name="schema"/>.</summary>
    public static ParquetSchema ToParquetSchema(RecordSchema schema) =>
        new(schema.Columns.Select(ToField).ToArray<Field>());

    /// <summary>Writes rows [start, start+count) of <paramref name="batch"/> to <paramref name="output"/>.</summary>
    /// <param name="metadata">Key-value metadata stored in the file footer (e.g. the Kafka offsets it holds).</param>
    public static async Task WriteAsync(
        Stream output,
        ColumnBatch batch,
        int start,
        int count,
        IReadOnlyDictionary<string, string>? metadata = null,
        CompressionMethod compression = CompressionMethod.Snappy,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, batch.Count);
        var schema = ToParquetSchema(batch.Schema);
        var options = new ParquetOptions { CompressionMethod = compression, CompressionLevel = CompressionLevel.Fastest };
        var writer = await ParquetWriter.CreateAsync(schema, output, options, append: false, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            if (metadata is not null)
            {
                writer.CustomMetadata = metadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            }

            using var rowGroup = writer.CreateRowGroup();
            var fields = schema.GetDataFields();
            for (var c = 0; c < fields.Length; c++)
            {
                var field = fields[c];
                switch (batch.Schema.Columns[c].Type)
                {
                    case ColumnType.Int32:
                        await rowGroup.WriteAsync<int>(field, batch.Column<int>(c).AsMemory(start, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnType.Int64:
                        await rowGroup.WriteAsync<long>(field, batch.Column<long>(c).AsMemory(start, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnType.Float32:
                        await rowGroup.WriteAsync<float>(field, batch.Column<float>(c).AsMemory(start, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnType.Float64:
                        await rowGroup.WriteAsync<double>(field, batch.Column<double>(c).AsMemory(start, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnType.Timestamp:
                        await rowGroup.WriteAsync<DateTime>(field, batch.Column<DateTime>(c).AsMemory(start, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ColumnType.String:
                        await rowGroup.WriteAsync(field, new ArraySegment<string>(batch.Column<string>(c), start, count)).ConfigureAwait(false);
                        break;
                    default:
                        throw new InvalidOperationException($"unknown column type {batch.Schema.Columns[c].Type}");
                }
            }

            rowGroup.CompleteValidate();
        }
    }

    private static DataField ToField(ColumnSpec column) => column.Type switch
    {
        ColumnType.Int32 => new DataField<int>(column.Name, nullable: false),
        ColumnType.Int64 => new DataField<long>(column.Name, nullable: false),
        ColumnType.Float32 => new DataField<float>(column.Name, nullable: false),
        ColumnType.Float64 => new DataField<double>(column.Name, nullable: false),
        ColumnType.String => new DataField<string>(column.Name, nullable: false),
        ColumnType.Timestamp => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "unknown column type"),
    };
}
