using System.Text;
using Weir.Connectors.Files;
using Weir.Connectors.Http;
using Weir.Testing;

namespace Weir.Factory.Tests;

public sealed class ConnectorPiecesTests
{
    [Fact]
    public async Task A_durable_write_leaves_the_complete_file_and_nothing_else()
    {
        using var folder = new TempDirectory("durable");
        var path = folder.Combine("sub", "a.bin");

        await DurableFile.WriteAllBytesAsync(path, new byte[] { 1, 2, 3 });
        await DurableFile.WriteAllBytesAsync(path, new byte[] { 4, 5 }); // replaces atomically

        Assert.Equal(new byte[] { 4, 5 }, await File.ReadAllBytesAsync(path));
        Assert.Equal(["a.bin"], Directory.GetFiles(folder.Combine("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_write_that_fails_leaves_neither_the_file_nor_its_temporary()
    {
        using var folder = new TempDirectory("durable");
        var path = folder.Combine("b.bin");

        await Assert.ThrowsAsync<InvalidOperationException>(() => DurableFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[100], ct);
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Leftover_temporaries_of_a_crashed_writer_are_recognised_and_deleted()
    {
        using var folder = new TempDirectory("durable");
        await File.WriteAllTextAsync(DurableFile.TemporaryPathFor(folder.Combine("c.parquet")), "half a file");
        await File.WriteAllTextAsync(folder.Combine("keep.parquet"), "a whole file");

        Assert.Equal(1, DurableFile.DeleteLeftovers(folder.Path));
        Assert.Equal(["keep.parquet"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task Ndjson_lines_are_split_whatever_the_chunking(int chunk)
    {
        var text = "{\"a\": 1}\n\n{\"b\": 2}\r\n  \n{\"c\": \"" + new string('x', 5000) + "\"}\n{\"last\": true}";
        using var stream = new TrickleStream(Encoding.UTF8.GetBytes(text), chunk);

        var lines = new List<string>();
        await foreach (var line in NdjsonLineReader.ReadLinesAsync(stream))
        {
            lines.Add(Encoding.UTF8.GetString(line.Span));
        }

        Assert.Equal(["{\"a\": 1}", "{\"b\": 2}", "{\"c\": \"" + new string('x', 5000) + "\"}", "{\"last\": true}"], lines);
    }

    [Fact]
    public async Task An_ndjson_line_over_the_limit_is_an_error()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 300) + "\n"));

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var unused in NdjsonLineReader.ReadLinesAsync(stream, maxLineBytes: 100))
            {
            }
        });
    }

    /// <summary>A stream that hands out at most <c>chunk</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
