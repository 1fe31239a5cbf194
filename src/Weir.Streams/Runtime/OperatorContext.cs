using Microsoft.Extensions.Logging;

namespace Weir.Streams.Runtime;

/// <summary>What an operator instance knows about where it runs.</summary>
internal sealed class OperatorContext
{
    public required string JobName { get; init; }

    public required string OperatorName { get; init; }

    /// <summary>Stable id of the operator in checkpoints (its uid, or position and name in the job).</summary>
    public required string OperatorId { get; init; }

    public required int SubtaskIndex { get; init; }

    public required int Parallelism { get; init; }

    public required int MaxParallelism { get; init; }

    public required TimeProvider Clock { get; init; }

    public required ProcessingTimeService ProcessingTime { get; init; }

    public required TimeSpan WatermarkInterval { get; init; }

    public required DeadLetterReporter Errors { get; init; }

    public required ILogger Logger { get; init; }

    public FunctionContext ToFunctionContext() => new(JobName, OperatorName, SubtaskIndex, Parallelism, Logger);
}
