using Weir.Streams;
using Weir.Streams.Sinks;

namespace Weir.Pipelines.Shared;

/// <summary>
/// A sink for records a job rejects on purpose (with a reason, not an exception): each becomes a dead letter on the
/// job's dead-letter topic, with the same headers as the engine's own dead letters. Every parallel writer opens a
/// dead-letter sink of its own, so that its flush (at a checkpoint, at end of input) waits for its own letters only,
/// not for the letters another subtask is still producing.
/// </summary>
internal sealed class DeadLetterStreamSink<T>(Func<IDeadLetterSink> open, Func<T, DeadLetter> describe) : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(open(), describe);

    private sealed class Writer(IDeadLetterSink deadLetters, Func<T, DeadLetter> describe) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => deadLetters.Write(describe(value));

        public void Flush() => deadLetters.Flush();

        public void Dispose() => (deadLetters as IDisposable)?.Dispose();
    }
}
