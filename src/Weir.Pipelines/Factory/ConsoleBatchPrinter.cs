using System.Globalization;
using System.Text;
using Weir.Connectors.Parquet;

namespace Weir.Pipelines.Factory;

/// <summary>Prints a micro-batch the way Spark's console sink shows a DataFrame: a framed table of the first 20 rows.</summary>
internal static class ConsoleBatchPrinter
{
    public const int MaxRows = 20;

    public static string Format(long batch, string topic, IReadOnlyList<(ColumnBatch Rows, int Count)> parts)
    {
        var schema = parts.Count > 0 ? parts[0].Rows.Schema : null;
        var text = new StringBuilder();
        text.Append("-------------------------------------------\n")
            .Append(CultureInfo.InvariantCulture, $"Batch: {batch} ({topic})\n")
            .Append("-------------------------------------------\n");
        if (schema is null)
        {
            return text.Append("(no valid rows)\n").ToString();
        }

        var rows = new List<string[]>();
        var total = 0;
        foreach (var (batchRows, count) in parts)
        {
            total += count;
            for (var r = 0; r < count && rows.Count < MaxRows; r++)
            {
                rows.Add([.. Enumerable.Range(0, schema.Columns.Count).Select(c => Cell(batchRows, c, r))]);
            }
        }

        var widths = schema.Columns.Select((c, i) => Math.Max(c.Name.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w))) + "+\n";
        text.Append(rule).Append('|').AppendJoin('|', schema.Columns.Select((c, i) => c.Name.PadLeft(widths[i]))).Append("|\n").Append(rule);
        foreach (var row in rows)
        {
            text.Append('|').AppendJoin('|', row.Select((v, i) => v.PadLeft(widths[i]))).Append("|\n");
        }

        text.Append(rule);
        if (total > rows.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $"only showing top {rows.Count} rows\n");
        }

        return text.ToString();
    }

    private static string Cell(ColumnBatch rows, int column, int row) => rows.Schema.Columns[column].Type switch
    {
        ColumnType.Int32 => rows.Int32s(column)[row].ToString(CultureInfo.InvariantCulture),
        ColumnType.Int64 => rows.Int64s(column)[row].ToString(CultureInfo.InvariantCulture),
        ColumnType.Float32 => rows.Float32s(column)[row].ToString("R", CultureInfo.InvariantCulture),
        ColumnType.Float64 => rows.Float64s(column)[row].ToString("R", CultureInfo.InvariantCulture),
        ColumnType.String => rows.Strings(column)[row],
        ColumnType.Timestamp => CorrelationReport.FormatTime(rows.Timestamps(column)[row]),
        _ => "?",
    };
}
