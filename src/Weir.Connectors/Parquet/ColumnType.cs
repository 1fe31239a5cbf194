namespace Weir.Connectors.Parquet;

/// <summary>The value types a <see cref="RecordSchema"/> column can hold (Spark SQL names in brackets).</summary>
public enum ColumnType
{
    /// <summary>32-bit signed integer (IntegerType); JSON: an integer number in range.</summary>
    Int32,

    /// <summary>64-bit signed integer (LongType); JSON: an integer number in range.</summary>
    Int64,

    /// <summary>32-bit IEEE float (FloatType); JSON: a finite number within float range.</summary>
    Float32,

    /// <summary>64-bit IEEE float (DoubleType); JSON: a finite number.</summary>
    Float64,

    /// <summary>UTF-8 text (StringType); JSON: a string.</summary>
    String,

    /// <summary>
    /// An instant, stored as Parquet TIMESTAMP(MICROS, UTC) (TimestampType); JSON: a number of seconds since the Unix
    /// epoch (fractions allowed, as Spark's JSON reader reads them) or an ISO 8601 string (UTC when it has no offset).
    /// </summary>
    Timestamp,
}
