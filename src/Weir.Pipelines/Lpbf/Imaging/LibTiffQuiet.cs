using BitMiracle.LibTiff.Classic;

namespace Weir.Pipelines.Lpbf.Imaging;

/// <summary>
/// LibTiff.NET prints errors and warnings to the console by default. Weir checks every return value and raises its
/// own errors with context, so the library's messages are dropped instead of interleaving with Weir's log.
/// </summary>
internal sealed class LibTiffQuiet : TiffErrorHandler
{
    private static int _installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
            Tiff.SetErrorHandler(new LibTiffQuiet());
        }
    }

    public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
    {
    }

    public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
    {
    }

    public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
    {
    }

    public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
    {
    }
}
