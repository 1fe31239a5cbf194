using Weir.Connectors.Sql;
using Weir.Testing;

namespace Weir.PlantSync.Tests;

/// <summary>
/// Databases for one test class: SQLite files in a temp folder and a fresh PostgreSQL database (one schema per
/// database asked for). Every database test runs on both: <c>[Theory, InlineData(Sqlite), InlineData(Postgres)]</c>.
/// </summary>
public sealed class PlantDatabases : IAsyncLifetime
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly TempDirectory _folder = new("plantsync");
    private readonly List<SqlDatabase> _opened = [];
    private PostgresTestDatabase? _postgres;

    public async Task InitializeAsync() => _postgres = await PostgresTestDatabase.CreateAsync("weir_plantsync");

    /// <summary>A new, empty database on <paramref name="backend"/>; its target string is what `weir` options take.</summary>
    public async Task<(SqlDatabase Database, string Target)> CreateAsync(string backend, string name = "db")
    {
        var target = backend switch
        {
            Sqlite => _folder.Combine($"{name}-{Guid.NewGuid():N}.db"),
            Postgres => await _postgres!.CreateSchemaAsync(name),
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
        };
        var database = SqlDatabase.Open(target);
        lock (_opened)
        {
            _opened.Add(database);
        }

        return (database, target);
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _folder.Dispose();
    }
}
