using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weir.Services.Challenger;

/// <summary>Every benchmark run, kept in <c>&lt;data dir&gt;/benches/&lt;id&gt;/</c> and reloaded when the emulator starts.</summary>
internal sealed class BenchStore : IDisposable
{
    private readonly ConcurrentDictionary<string, Bench> _benches = new(StringComparer.Ordinal);
    private readonly string _folder;

    public BenchStore(string dataDir, ILogger logger)
    {
        _folder = Path.Combine(dataDir, "benches");
        Directory.CreateDirectory(_folder);
        foreach (var folder in Directory.EnumerateDirectories(_folder))
        {
            try
            {
                if (Bench.Load(folder) is { } bench)
                {
                    _benches[bench.Id] = bench;
                }
            }
            catch (Exception error) when (error is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                logger.LogWarning("benchmark run in {Folder} cannot be read and is skipped: {Error}", folder, error.Message);
            }
        }
    }

    public int Count => _benches.Count;

    public Bench Create(BenchRecord record)
    {
        var bench = Bench.Create(record, Path.Combine(_folder, record.Id));
        _benches[record.Id] = bench;
        return bench;
    }

    public Bench? Find(string id) => BenchIds.IsWellFormed(id) && _benches.TryGetValue(id, out var bench) ? bench : null;

    /// <summary>Runs, newest first.</summary>
    public IReadOnlyList<Bench> All() => [.. _benches.Values.OrderByDescending(b => b.Record.CreatedNs)];

    public void Dispose()
    {
        foreach (var bench in _benches.Values)
        {
            bench.Dispose();
        }
    }
}
