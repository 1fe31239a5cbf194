using System.Text;

namespace Weir.Connectors.Parquet;

/// <summary>One column of a <see cref="RecordSchema"/>.</summary>
public sealed record ColumnSpec(string Name, ColumnType Type);

/// <summary>
/// A flat record schema: the named, typed, required columns a JSON record must have to become a Parquet row.
/// Every column is required: a record that lacks one, or holds null or a value of another type, is rejected
/// with a reason (and goes to a dead-letter topic) rather than stored as a row of nulls.
/// </summary>
public sealed class RecordSchema
{
    /// <summary>Columns are tracked in a 64-bit mask while decoding.</summary>
    public const int MaxColumns = 64;

    public RecordSchema(string name, IReadOnlyList<ColumnSpec> columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (columns.Count is 0 or > MaxColumns)
        {
            throw new ArgumentException($"a schema has 1 to {MaxColumns} columns, '{name}' has {columns.Count}", nameof(columns));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (string.IsNullOrEmpty(column.Name) || !names.Add(column.Name))
            {
                throw new ArgumentException($"schema '{name}': column names must be distinct and not empty ('{column.Name}')", nameof(columns));
            }
        }

        Name = name;
        Columns = columns;
        Utf8Names = [.. columns.Select(c => Encoding.UTF8.GetBytes(c.Name))];
    }

    public string Name { get; }

    public IReadOnlyList<ColumnSpec> Columns { get; }

    internal byte[][] Utf8Names { get; }

    /// <summary>The index of the column called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>e.g. "id int32, val float32, time timestamp".</summary>
    public override string ToString() =>
        string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type.ToString().ToLowerInvariant()}"));
}
