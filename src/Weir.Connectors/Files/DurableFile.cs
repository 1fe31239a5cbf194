using System.Runtime.InteropServices;

namespace Weir.Connectors.Files;

/// <summary>
/// Writes a file so that after a crash it either exists completely or not at all: the content goes to a hidden
/// temporary file in the same folder, which is flushed to disk, renamed over the final name (atomic within a file
/// system) and followed by an fsync of the folder so that the rename itself survives a power loss.
/// </summary>
public static partial class DurableFile
{
    /// <summary>Suffix of the temporary files; anything left with it after a crash is incomplete and may be deleted.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, durably and atomically.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        Directory.CreateDirectory(folder);
        var temporary = TemporaryPathFor(path);
        try
        {
            var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 1 << 16,
            });
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            FlushFolder(folder);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, durably and atomically.</summary>
    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);

    /// <summary>The hidden temporary name used while <paramref name="path"/> is being written.</summary>
    public static string TemporaryPathFor(string path)
    {
        var folder = Path.GetDirectoryName(path) ?? "";
        return Path.Combine(folder, "." + Path.GetFileName(path) + TemporarySuffix);
    }

    /// <summary>Deletes temporary files a crashed writer left in <paramref name="folder"/>; returns how many.</summary>
    public static int DeleteLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var leftover in Directory.EnumerateFiles(folder, "." + "*" + TemporarySuffix))
        {
            File.Delete(leftover);
            deleted++;
        }

        return deleted;
    }

    /// <summary>Makes the entries of <paramref name="folder"/> (creations, renames, deletions) durable.</summary>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return; // Windows has no folder fsync; NTFS journals the rename itself.
        }

        // O_RDONLY opens a folder on every POSIX system; O_DIRECTORY would only add a check, at a per-platform value.
        var fd = Open(folder, OpenReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open folder '{folder}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of folder '{folder}' failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is removed by DeleteLeftovers on the next start.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private const int OpenReadOnly = 0;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
