namespace Weir.Broker.Protocol;

/// <summary>
/// A file whose bytes a response sends straight from the OS page cache (<c>sendfile</c>) instead of copying them
/// into its buffer, as Kafka's brokers do for fetches. Each <see cref="FileRegion"/> holds the file open: taken
/// when the region is added, given back with <see cref="ReleaseFile"/> once the response is sent or dropped.
/// </summary>
internal interface ISendableFile
{
    /// <summary>A stream over the file for <c>SendPacketsElement</c>; never disposed by the sender.</summary>
    FileStream SendStream { get; }

    void ReleaseFile();
}

/// <summary><paramref name="Length"/> bytes of <paramref name="File"/> from <paramref name="Position"/>, sent where the buffer is at <paramref name="At"/>.</summary>
internal readonly record struct FileRegion(int At, ISendableFile File, long Position, int Length);
