using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Weir.Streams.Runtime;

/// <summary>
/// Handles a record that failed in a user function: hands it to the job's dead-letter sink with the reason and,
/// when the failure happened in the chain behind a source, the source position and original bytes. One per
/// subtask (the current origin is per thread of work); the counts are per stage.
/// </summary>
internal sealed class DeadLetterReporter(string jobName, IDeadLetterSink? sink, ILogger logger, JobMetrics metrics)
{
    private long _logged;

    /// <summary>Set by the source before each record enters the chain; cleared for records from an exchange.</summary>
    public RecordOrigin CurrentOrigin;

    public long Count { get; private set; }

    /// <summary>Exceptions that mean "this record is bad" rather than "this process is broken".</summary>
    public static bool IsRecordFailure(Exception error) =>
        error is not (OutOfMemoryException or OperationCanceledException or ThreadInterruptedException or JobCancelledException);

    public void Report(string stage, Exception error, object? record) =>
        Report(stage, Describe(error), error, record, (CurrentOrigin.IsKnown || record is not IHasRecordOrigin carried) ? CurrentOrigin : carried.Origin);

    public void Report(string stage, string reason, Exception? error, object? record, RecordOrigin origin)
    {
        Count++;
        metrics.DeadLetter(stage);
        if (_logged < 10 || _logged % 1000 == 0)
        {
            // The reason is enough to read; the stack of a bad record's exception is noise (the dead letter keeps it).
            logger.LogWarning("job {Job}: record sent to dead letters at {Stage}: {Reason}", jobName, stage, reason);
        }

        _logged++;
        sink?.Write(new DeadLetter(jobName, stage, reason, origin, record, error));
    }

    private static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}".ReplaceLineEndings(" ");
}

/// <summary>Thrown inside a subtask when its job is cancelled.</summary>
[SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "never escapes the runtime")]
internal sealed class JobCancelledException() : Exception("the job was cancelled");
