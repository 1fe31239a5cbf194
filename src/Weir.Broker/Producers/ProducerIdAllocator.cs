using System.Globalization;

namespace Weir.Broker.Producers;

/// <summary>
/// Hands out producer ids that are never reused, not even across restarts: ids are reserved in blocks, and the
/// end of the current block is written to <c>producer-ids</c> before any id from it is given out.
/// </summary>
internal sealed class ProducerIdAllocator
{
    private const long BlockSize = 1000;
    private const long FirstId = 1000;

    private readonly Lock _lock = new();
    private readonly string _path;
    private long _next;
    private long _blockEnd;

    public ProducerIdAllocator(string dataDirectory)
    {
        _path = Path.Combine(dataDirectory, "producer-ids");
        _next = File.Exists(_path) && long.TryParse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var reserved)
            ? reserved
            : FirstId;
        _blockEnd = _next;
    }

    public long Next()
    {
        lock (_lock)
        {
            if (_next >= _blockEnd)
            {
                _blockEnd = _next + BlockSize;
                File.WriteAllText(_path + ".tmp", _blockEnd.ToString(CultureInfo.InvariantCulture));
                File.Move(_path + ".tmp", _path, overwrite: true);
            }

            return _next++;
        }
    }
}
