using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Weir.Broker.Storage;

/// <summary>
/// Tells Linux to drop a file range from its page cache (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>); .NET has no
/// API for it. Clean pages go at once; dirty ones are queued for writeback and stay cached until a later call.
/// A no-op on other systems and on file systems that ignore the advice (tmpfs). Advice only: the data on disk
/// is untouched and a later read brings it back.
/// </summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED on Linux

    /// <summary>
    /// Drops [<paramref name="offset"/>, offset + <paramref name="length"/>) from the cache. A failed call is
    /// ignored: it leaves the pages cached, which is all the advice could change.
    /// </summary>
    public static void Drop(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }

        // The reference keeps the descriptor from being closed, and its number reused by another file, during the call.
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = Advise((int)file.DangerousGetHandle(), offset, length, DontNeed);
        }
        catch (ObjectDisposedException)
        {
            // The segment was closed (retention, topic deletion): nothing left to drop.
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    // Returns the error number itself rather than setting errno.
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Advise(int fd, long offset, long length, int advice);
}
