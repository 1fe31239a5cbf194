namespace Weir.Connectors.Sql;

/// <summary>The SQL engine behind a <see cref="SqlDatabase"/>: decides the few places where SQL text differs.</summary>
public enum SqlDialect
{
    /// <summary>An SQLite file (Microsoft.Data.Sqlite): the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (Npgsql): what replaces the file at scale.</summary>
    PostgreSql,
}

/// <summary>Column types that both engines store exactly (timestamps are kept as integers of microseconds).</summary>
public enum SqlType
{
    Int64,
    Double,
    Text,
    Bytes,
    Bool,

    /// <summary>A 64-bit key the database assigns in increasing order and never reuses.</summary>
    Identity,
}
