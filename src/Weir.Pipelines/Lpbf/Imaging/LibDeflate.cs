using System.Runtime.InteropServices;

namespace Weir.Pipelines.Lpbf.Imaging;

/// <summary>
/// zlib-format inflate through libdeflate (Debian's <c>libdeflate0</c>, which libtiff itself depends on), when the
/// library can be loaded. Inflating the TIFF strips is the largest single cost of the LPBF pipeline; libdeflate
/// inflates a whole buffer in one call, on the challenge-like tiles about twice as fast as Debian's zlib and a
/// quarter faster than the runtime's zlib-ng (docs/benchmarks.md, "LPBF end to end"). Nothing requires it:
/// without it <see cref="TiffTileDecoder"/> uses the runtime's <see cref="System.IO.Compression.ZLibStream"/>,
/// with the same pixels.
/// </summary>
internal static unsafe class LibDeflate
{
    private const int Success = 0;

    private static readonly delegate* unmanaged<nint> AllocDecompressor;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint*, int> ZlibDecompress;
    private static readonly delegate* unmanaged<nint, void> FreeDecompressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    static LibDeflate()
    {
        if (Environment.GetEnvironmentVariable("WEIR_LIBDEFLATE") == "0" || !NativeLibrary.TryLoad("libdeflate.so.0", out var library))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(library, "libdeflate_alloc_decompressor", out var alloc)
            && NativeLibrary.TryGetExport(library, "libdeflate_zlib_decompress", out var decompress)
            && NativeLibrary.TryGetExport(library, "libdeflate_free_decompressor", out var free))
        {
            AllocDecompressor = (delegate* unmanaged<nint>)alloc;
            ZlibDecompress = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint*, int>)decompress;
            FreeDecompressor = (delegate* unmanaged<nint, void>)free;
            IsAvailable = true;
        }
    }

    /// <summary>Whether libdeflate was found (set WEIR_LIBDEFLATE=0 to use the runtime's zlib instead).</summary>
    public static bool IsAvailable { get; }

    /// <summary>
    /// Inflates one whole zlib stream into exactly <paramref name="output"/>. False when libdeflate is missing or
    /// the stream is not exactly that long or not valid: the caller then takes the stream path, which reports
    /// what is wrong the way it always has.
    /// </summary>
    public static bool TryInflateExactly(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (!IsAvailable)
        {
            return false;
        }

        var decompressor = t_decompressor ??= new Decompressor(AllocDecompressor());
        if (decompressor.Handle == 0)
        {
            return false;
        }

        nuint written;
        int result;
        fixed (byte* source = input)
        fixed (byte* target = output)
        {
            result = ZlibDecompress(decompressor.Handle, source, (nuint)input.Length, target, (nuint)output.Length, &written);
        }

        return result == Success && written == (nuint)output.Length;
    }

    /// <summary>One thread's decompressor (libdeflate's are not thread-safe), freed with the thread.</summary>
    private sealed class Decompressor(nint handle)
    {
        public nint Handle { get; } = handle;

        ~Decompressor()
        {
            if (Handle != 0)
            {
                FreeDecompressor(Handle);
            }
        }
    }
}
