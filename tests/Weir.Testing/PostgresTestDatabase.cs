using Npgsql;

namespace Weir.Testing;

/// <summary>
/// A fresh PostgreSQL database on the server scripts/test.sh starts (connection string in WEIR_TEST_POSTGRES),
/// dropped on dispose. Create one per test class; <see cref="CreateSchemaAsync"/> isolates tests within the class.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "WEIR_TEST_POSTGRES";

    private readonly string _name;

    private PostgresTestDatabase(string name, string connectionString)
    {
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>An Npgsql connection string for the new database.</summary>
    public string ConnectionString { get; }

    /// <summary>The server's connection string; a missing variable is a failure that says how to get one.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests through scripts/test.sh, which starts a PostgreSQL server (Debian package postgresql)");

    public static async Task<PostgresTestDatabase> CreateAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name };
        return new PostgresTestDatabase(name, builder.ConnectionString);
    }

    /// <summary>A new schema in this database and a connection string whose search path is that schema.</summary>
    public async Task<string> CreateSchemaAsync(string prefix)
    {
        var schema = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
