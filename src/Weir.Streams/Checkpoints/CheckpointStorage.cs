using System.Globalization;
using System.Text;
using System.Text.Json;
using Weir.Streams.Sources;

namespace Weir.Streams.Checkpoints;

/// <summary>
/// What one subtask contributes to a checkpoint: its operators' state and its source positions. It owns the
/// operators' buffers until it is disposed, once its file is written (or the checkpoint is given up).
/// </summary>
internal sealed class SubtaskState : IDisposable
{
    public Dictionary<string, SnapshotBuffer> Operators { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<SplitState>> SourceSplits { get; } = new(StringComparer.Ordinal);

    public void Dispose()
    {
        foreach (var buffer in Operators.Values)
        {
            buffer.Dispose();
        }

        Operators.Clear();
    }
}

/// <summary>A completed checkpoint read back for a restart: state by operator id, positions by source id.</summary>
internal sealed class RestoredCheckpoint(long id, Dictionary<string, List<byte[]>> operators, Dictionary<string, List<SplitState>> sources)
{
    public long Id { get; } = id;

    /// <summary>Every old subtask's snapshot of one operator (empty when it had none).</summary>
    public IReadOnlyList<byte[]> OperatorState(string operatorId) => operators.TryGetValue(operatorId, out var list) ? list : [];

    /// <summary>Every old reader's split positions of one source.</summary>
    public IReadOnlyList<SplitState> SourceSplits(string sourceId) => sources.TryGetValue(sourceId, out var list) ? list : [];

    public IEnumerable<string> OperatorIds => operators.Keys;
}

/// <summary>
/// Checkpoints on the local file system: one folder per checkpoint (<c>chk-N</c>), one file per subtask, and a
/// <c>_metadata</c> file written last by an atomic rename: a folder without it is an unfinished checkpoint and is
/// never restored. The newest few completed checkpoints are kept.
/// </summary>
internal sealed class CheckpointStorage(string directory, string jobName, int retained)
{
    private const string Metadata = "_metadata";
    private static readonly byte[] Magic = "WEIRCHK1"u8.ToArray();

    public string Directory { get; } = directory;

    public string FolderOf(long checkpointId) => Path.Combine(Directory, $"chk-{checkpointId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Writes one subtask's file (fsynced); returns its name.</summary>
    public string WriteSubtask(long checkpointId, string subtaskKey, SubtaskState state)
    {
        var folder = FolderOf(checkpointId);
        System.IO.Directory.CreateDirectory(folder);
        var name = $"{subtaskKey}.state";
        using (var file = new FileStream(Path.Combine(folder, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(state.Operators.Count);
                foreach (var (id, buffer) in state.Operators)
                {
                    if (buffer.Length > int.MaxValue)
                    {
                        throw new InvalidOperationException($"the state of operator {id} is {buffer.Length} bytes; a checkpoint holds at most 2 GiB per operator and subtask");
                    }

                    writer.Write(id);
                    writer.Write((int)buffer.Length);
                    writer.Flush();
                    buffer.WriteTo(file);
                }

                writer.Write(state.SourceSplits.Count);
                foreach (var (id, splits) in state.SourceSplits)
                {
                    writer.Write(id);
                    writer.Write(splits.Count);
                    foreach (var split in splits)
                    {
                        writer.Write(split.SplitId);
                        writer.Write(split.Position.Length);
                        writer.Write(split.Position);
                    }
                }
            }

            file.Flush(flushToDisk: true);
        }

        return name;
    }

    /// <summary>Marks a checkpoint complete (atomic rename of its metadata) and deletes checkpoints beyond the retained few.</summary>
    public void Complete(long checkpointId, IReadOnlyList<string> files, DateTimeOffset completedAt)
    {
        var folder = FolderOf(checkpointId);
        System.IO.Directory.CreateDirectory(folder);
        var metadata = new CheckpointMetadata(checkpointId, jobName, completedAt, [.. files]);
        var temporary = Path.Combine(folder, Metadata + ".tmp");
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, metadata, CheckpointJson.Default.CheckpointMetadata);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(folder, Metadata), overwrite: true);
        Prune(checkpointId);
    }

    public void Abort(long checkpointId)
    {
        try
        {
            System.IO.Directory.Delete(FolderOf(checkpointId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The newest completed checkpoint, or null when there is none.</summary>
    public RestoredCheckpoint? LoadLatest()
    {
        foreach (var (id, folder) in Completed().OrderByDescending(c => c.Id))
        {
            var metadata = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder, Metadata)), CheckpointJson.Default.CheckpointMetadata)
                ?? throw new InvalidDataException($"{folder}: empty metadata");
            var operators = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
            var sources = new Dictionary<string, List<SplitState>>(StringComparer.Ordinal);
            foreach (var name in metadata.Files)
            {
                Read(Path.Combine(folder, name), operators, sources);
            }

            return new RestoredCheckpoint(id, operators, sources);
        }

        return null;
    }

    /// <summary>The highest checkpoint id used so far (completed or not), so ids keep increasing across restarts.</summary>
    public long HighestId() => AllFolders().Select(c => c.Id).DefaultIfEmpty(0).Max();

    /// <summary>Removes unfinished checkpoint folders (a crash in the middle of one).</summary>
    public void RemoveUnfinished()
    {
        foreach (var (_, folder) in AllFolders())
        {
            if (!File.Exists(Path.Combine(folder, Metadata)))
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
        }
    }

    public IEnumerable<(long Id, string Folder)> Completed() =>
        AllFolders().Where(c => File.Exists(Path.Combine(c.Folder, Metadata)));

    private IEnumerable<(long Id, string Folder)> AllFolders()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            yield break;
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory, "chk-*"))
        {
            if (long.TryParse(Path.GetFileName(folder).AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                yield return (id, folder);
            }
        }
    }

    private void Prune(long newest)
    {
        var completed = Completed().OrderByDescending(c => c.Id).ToList();
        foreach (var (id, folder) in completed.Skip(retained))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }

        foreach (var (id, folder) in AllFolders())
        {
            if (id < newest && !File.Exists(Path.Combine(folder, Metadata)))
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static void Read(string path, Dictionary<string, List<byte[]>> operators, Dictionary<string, List<SplitState>> sources)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a Weir checkpoint file");
        }

        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString();
            var bytes = reader.ReadBytes(reader.ReadInt32());
            if (!operators.TryGetValue(id, out var list))
            {
                operators[id] = list = [];
            }

            list.Add(bytes);
        }

        var sourceCount = reader.ReadInt32();
        for (var i = 0; i < sourceCount; i++)
        {
            var id = reader.ReadString();
            var splits = reader.ReadInt32();
            if (!sources.TryGetValue(id, out var list))
            {
                sources[id] = list = [];
            }

            for (var j = 0; j < splits; j++)
            {
                var splitId = reader.ReadString();
                list.Add(new SplitState(splitId, reader.ReadBytes(reader.ReadInt32())));
            }
        }
    }
}

internal sealed record CheckpointMetadata(long CheckpointId, string Job, DateTimeOffset CompletedAt, List<string> Files);

[System.Text.Json.Serialization.JsonSerializable(typeof(CheckpointMetadata))]
internal sealed partial class CheckpointJson : System.Text.Json.Serialization.JsonSerializerContext;
