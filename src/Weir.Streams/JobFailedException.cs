namespace Weir.Streams;

/// <summary>A job stopped because a subtask failed (not because a record was bad: those go to the dead letters).</summary>
public sealed class JobFailedException : Exception
{
    public JobFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
