using Weir.Connectors.Parquet;

namespace Weir.Pipelines.Factory;

/// <summary>
/// The record schemas of the original pipeline's Spark consumers: <c>metrics</c> (id IntegerType, val FloatType,
/// time TimestampType) and <c>workorder</c> (time TimestampType, product IntegerType, production FloatType).
/// Times arrive as epoch seconds.
/// </summary>
internal static class FactorySchemas
{
    public static RecordSchema Metrics { get; } = new("metrics",
    [
        new ColumnSpec("id", ColumnType.Int32),
        new ColumnSpec("val", ColumnType.Float32),
        new ColumnSpec("time", ColumnType.Timestamp),
    ]);

    public static RecordSchema WorkOrder { get; } = new("workorder",
    [
        new ColumnSpec("time", ColumnType.Timestamp),
        new ColumnSpec("product", ColumnType.Int32),
        new ColumnSpec("production", ColumnType.Float32),
    ]);

    /// <summary>The schema called <paramref name="name"/> ("metrics" or "workorder").</summary>
    public static RecordSchema ByName(string name) => name switch
    {
        "metrics" => Metrics,
        "workorder" => WorkOrder,
        _ => throw new ArgumentException($"unknown factory schema '{name}' (known: metrics, workorder)", nameof(name)),
    };
}
