using System.Runtime.InteropServices;

namespace Weir.Broker.Tests.Storage;

/// <summary>
/// How many bytes of a file the Linux page cache holds right now, asked of the kernel itself: the file is mapped
/// without touching it and <c>mincore</c> reports which of its pages are resident (what util-linux's
/// <c>fincore</c> does).
/// </summary>
internal static partial class PageCacheResidency
{
    /// <summary>
    /// What may stay cached beyond a dropped range's edge: the kernel drops whole folios only, and ext4 caches a
    /// file in folios of up to 64 KiB and more (seen: 32 KiB past the edge on Linux 6.18).
    /// </summary>
    public const long EdgeSlack = 256 * 1024;

    private const int ProtRead = 1;
    private const int MapShared = 1;

    /// <summary>Resident bytes of <paramref name="path"/> from <paramref name="from"/> to its end (whole pages).</summary>
    public static long ResidentBytes(string path, long from = 0)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(file);
        if (length == 0)
        {
            return 0;
        }

        var pageSize = Environment.SystemPageSize;
        var address = Map(IntPtr.Zero, (nuint)length, ProtRead, MapShared, (int)file.DangerousGetHandle(), 0);
        if (address == -1)
        {
            throw new IOException($"mmap of {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var pages = (int)((length + pageSize - 1) / pageSize);
        var residency = Marshal.AllocHGlobal(pages);
        try
        {
            if (Mincore(address, (nuint)length, residency) != 0)
            {
                throw new IOException($"mincore of {path} failed: errno {Marshal.GetLastPInvokeError()}");
            }

            long resident = 0;
            for (var page = (int)(from / pageSize); page < pages; page++)
            {
                if ((Marshal.ReadByte(residency, page) & 1) != 0)
                {
                    resident += pageSize;
                }
            }

            return resident;
        }
        finally
        {
            Marshal.FreeHGlobal(residency);
            _ = Unmap(address, (nuint)length);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial IntPtr Map(IntPtr address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static partial int Mincore(IntPtr address, nuint length, IntPtr vector);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Unmap(IntPtr address, nuint length);
}
