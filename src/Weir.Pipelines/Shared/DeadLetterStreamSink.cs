using Weir.Streams;
using Weir.Streams.Sinks;

namespace Weir.Pipelines.Shared;

/// <summary>
/// A sink for records a job rejects on purpose (with a reason, not an exception): each becomes a dead letter in the
/// job's dead-letter sink, so it lands on the same topic with the same headers as the engine's own dead letters.
/// </summary>
internal sealed class DeadLetterStreamSink<T>(IDeadLetterSink deadLetters, Func<T, DeadLetter> describe) : ISink<T>
{
    public ISinkWriter<T> CreateWriter(SinkContext context) => new Writer(deadLetters, describe);

    private sealed class Writer(IDeadLetterSink deadLetters, Func<T, DeadLetter> describe) : ISinkWriter<T>
    {
        public void Write(T value, long timestamp) => deadLetters.Write(describe(value));

        public void Flush() => deadLetters.Flush();

        public void Dispose()
        {
        }
    }
}
