using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Weir.Connectors.Sql;

/// <summary>
/// One SQL database, SQLite or PostgreSQL, behind the ADO.NET <see cref="DbConnection"/> both providers implement.
/// Callers write portable SQL (named <c>@parameters</c>, <c>INSERT ... ON CONFLICT ... DO UPDATE</c>, <c>RETURNING</c>,
/// which both engines understand) and ask this class only for what differs: column types, the write transaction
/// and list parameters.
/// </summary>
public sealed class SqlDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;

    private SqlDatabase(SqlDialect dialect, string description, NpgsqlDataSource? postgres, string? sqliteConnectionString)
    {
        Dialect = dialect;
        Description = description;
        _postgres = postgres;
        _sqliteConnectionString = sqliteConnectionString;
    }

    public SqlDialect Dialect { get; }

    /// <summary>What the database is, for logs: "SQLite /path/file.db" or "PostgreSQL host:port/database" (never a password).</summary>
    public string Description { get; }

    /// <summary>
    /// Opens <paramref name="target"/>: a PostgreSQL URI (<c>postgres://user:password@host:port/database</c>), an Npgsql
    /// connection string (<c>Host=...;Database=...</c>), or otherwise an SQLite file path (created with its folder
    /// when missing) or an SQLite connection string (<c>Data Source=...</c>).
    /// </summary>
    public static SqlDatabase Open(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (IsPostgres(target))
        {
            var builder = new NpgsqlConnectionStringBuilder(FromUri(target));
            var description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
            return new SqlDatabase(SqlDialect.PostgreSql, description, NpgsqlDataSource.Create(builder.ConnectionString), null);
        }

        var sqlite = target.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(target)
            : new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(target) };
        sqlite.Pooling = true;
        sqlite.DefaultTimeout = Math.Max(sqlite.DefaultTimeout, 30);
        var folder = Path.GetDirectoryName(sqlite.DataSource);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        return new SqlDatabase(SqlDialect.Sqlite, $"SQLite {sqlite.DataSource}", null, sqlite.ConnectionString);
    }

    /// <summary>True when <paramref name="target"/> names a PostgreSQL server rather than an SQLite file.</summary>
    public static bool IsPostgres(string target) =>
        target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || target.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens a pooled connection, configured for this engine.</summary>
    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes in WAL mode.
            // Both settings are cheap to repeat, so every connection (pooled or new) gets them.
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts a transaction that will write. SQLite takes the write lock at once (BEGIN IMMEDIATE), so two writers
    /// queue instead of failing when a read lock would have to be upgraded; PostgreSQL uses read committed and row locks.
    /// </summary>
    public async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    /// <summary>The column type to write in DDL for <paramref name="type"/>.</summary>
    public string TypeName(SqlType type) => (Dialect, type) switch
    {
        (SqlDialect.Sqlite, SqlType.Int64) => "INTEGER",
        (SqlDialect.Sqlite, SqlType.Double) => "REAL",
        (SqlDialect.Sqlite, SqlType.Text) => "TEXT",
        (SqlDialect.Sqlite, SqlType.Bytes) => "BLOB",
        (SqlDialect.Sqlite, SqlType.Bool) => "INTEGER",
        (SqlDialect.Sqlite, SqlType.Identity) => "INTEGER PRIMARY KEY AUTOINCREMENT",
        (SqlDialect.PostgreSql, SqlType.Int64) => "BIGINT",
        (SqlDialect.PostgreSql, SqlType.Double) => "DOUBLE PRECISION",
        (SqlDialect.PostgreSql, SqlType.Text) => "TEXT",
        (SqlDialect.PostgreSql, SqlType.Bytes) => "BYTEA",
        (SqlDialect.PostgreSql, SqlType.Bool) => "BOOLEAN",
        (SqlDialect.PostgreSql, SqlType.Identity) => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// A condition "<paramref name="column"/> is one of <paramref name="values"/>", adding its parameters to
    /// <paramref name="command"/>: one array parameter on PostgreSQL, a parameter per value on SQLite.
    /// </summary>
    public string AnyOf(DbCommand command, string column, IReadOnlyList<long> values)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Count);
        if (Dialect == SqlDialect.PostgreSql)
        {
            command.Add("@any_of", values as long[] ?? [.. values]);
            return $"{column} = ANY(@any_of)";
        }

        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@any_of_{i}";
            command.Add(names[i], values[i]);
        }

        return $"{column} IN ({string.Join(',', names)})";
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static string FromUri(string target)
    {
        if (!target.Contains("://", StringComparison.Ordinal))
        {
            return target;
        }

        var uri = new Uri(target);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        return builder.ConnectionString;
    }
}
