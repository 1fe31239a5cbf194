using System.Text;

namespace Weir.Streams.Sinks;

/// <summary>Calls a function for every record. With parallelism above 1 it is called from several threads at once.</summary>
public sealed class CallbackSink<T>(Action<T> callback) : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(callback);

    private sealed class Writer(Action<T> callback) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => callback(value);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>Writes every record as a line to standard output (or another writer), prefixed with the subtask when parallel.</summary>
public sealed class ConsoleSink<T>(Func<T, string>? format = null, TextWriter? writer = null) : ISink<T>
{
    private static readonly object Lock = new();

    public ISinkWriter<T> CreateWriter(SinkContext context) =>
        new Writer(format ?? (value => value?.ToString() ?? "null"), writer ?? Console.Out, context.Parallelism > 1 ? $"{context.SubtaskIndex + 1}> " : "");

    private sealed class Writer(Func<T, string> format, TextWriter output, string prefix) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp)
        {
            var line = prefix + format(value);
            lock (Lock)
            {
                output.WriteLine(line);
            }
        }

        public void Flush()
        {
            lock (Lock)
            {
                output.Flush();
            }
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// Appends one line per record (UTF-8) to a file. With parallelism above 1, subtask k writes
/// <c>name-k.ext</c>. Flush (checkpoints, end of input) forces the lines to disk.
/// </summary>
public sealed class FileSink<T>(string path, Func<T, string> format) : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkContext context)
    {
        var target = context.Parallelism == 1
            ? path
            : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{context.SubtaskIndex}{Path.GetExtension(path)}");
        if (Path.GetDirectoryName(Path.GetFullPath(target)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return new Writer(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16), format);
    }

    private sealed class Writer(FileStream file, Func<T, string> format) : ISinkWriter<T>
    {
        private readonly StreamWriter _text = new(file, new UTF8Encoding(false), 1 << 16);

        public void Write(T value, long timestamp) => _text.WriteLine(format(value));

        public void Flush()
        {
            _text.Flush();
            file.Flush(flushToDisk: true);
        }

        public void Dispose()
        {
            Flush();
            _text.Dispose();
        }
    }
}
