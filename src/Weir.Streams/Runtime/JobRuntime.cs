using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weir.Streams.Checkpoints;
using Weir.Streams.Graph;
using Weir.Streams.Operators;

namespace Weir.Streams.Runtime;

/// <summary>
/// A job made physical: the plan's chains instantiated once per parallel subtask, wired with channels, plus the
/// checkpoint coordinator. Runs either on one thread per subtask (<see cref="Start"/>) or stepped on the
/// caller's thread for tests (<see cref="RunUntilIdle"/>).
/// </summary>
internal sealed class JobRuntime : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<Subtask> _subtasks = [];
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _opening;
    private Exception? _failure;
    private int _running;

    public JobRuntime(IReadOnlyList<StreamNode> nodes, JobOptions options, bool stepped)
    {
        options.Validate();
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Weir.Streams");
        Plan = new JobPlan(nodes, options);
        CheckpointStorage? storage = null;
        RestoredCheckpoint? restored = null;
        long lastId = 0;
        if (options.CheckpointDirectory is { } directory)
        {
            storage = new CheckpointStorage(directory, options.Name, options.RetainedCheckpoints);
            lastId = storage.HighestId();
            if (options.RestoreFromCheckpoint)
            {
                restored = storage.LoadLatest();
            }

            storage.RemoveUnfinished();
            if (restored is not null)
            {
                _logger.LogInformation("job {Job}: resuming from checkpoint {Id} in {Directory}", options.Name, restored.Id, directory);
            }
        }

        Setup = new JobSetup
        {
            Options = options,
            Stepped = stepped,
            LoggerFactory = loggers,
            Metrics = new JobMetrics(options.Name),
            Cancellation = _cancel.Token,
            Restored = restored,
        };
        if (storage is not null)
        {
            Setup.Checkpoints = new CheckpointCoordinator(Setup, storage, lastId, _logger);
        }

        Build();
        Setup.Checkpoints?.Attach(_subtasks);
    }

    public JobSetup Setup { get; }

    public JobPlan Plan { get; }

    public IReadOnlyList<Subtask> Subtasks => _subtasks;

    public CheckpointCoordinator? Checkpoints => Setup.Checkpoints;

    public Task Completion => _completion.Task;

    /// <summary>Completes once every subtask has opened (sources connected, state restored).</summary>
    public Task Opened => _opened.Task;

    public bool IsFinished => _subtasks.All(s => s.IsFinished);

    public DateTimeOffset StartedAt { get; private set; }

    public JobStatus Status => _completion.Task.Status switch
    {
        TaskStatus.RanToCompletion => JobStatus.Finished,
        TaskStatus.Canceled => JobStatus.Cancelled,
        TaskStatus.Faulted => JobStatus.Failed,
        _ => _opened.Task.IsCompleted || (Setup.Stepped && _subtasks.All(s => s.IsOpen)) ? JobStatus.Running : JobStatus.Starting,
    };

    /// <summary>A snapshot of every operator's figures (read without stopping the subtasks: each figure is a moment's value).</summary>
    public JobInfo Describe(string id)
    {
        var operators = new List<OperatorInfo>();
        foreach (var chain in Plan.Chains)
        {
            var subtasks = _subtasks.Where(s => s.Setup.ChainIndex == chain.Index).ToList();
            for (var n = 0; n < chain.Nodes.Count; n++)
            {
                var node = chain.Nodes[n];
                long recordsIn = 0, recordsOut = 0, late = 0;
                long? watermark = null;
                foreach (var subtask in subtasks)
                {
                    long current;
                    if (node is ISourceNode && n == 0)
                    {
                        recordsOut += subtask is ISourceMetrics source ? source.RecordsOut : 0;
                        current = subtask.InputWatermark;
                    }
                    else
                    {
                        var op = subtask.Setup.Operators[n - (chain.Nodes.Count - subtask.Setup.Operators.Count)];
                        recordsIn += op.RecordsIn;
                        recordsOut += op.RecordsOut;
                        late += op.LateRecordsDropped;
                        current = op.CurrentWatermark;
                    }

                    if (current != long.MinValue)
                    {
                        watermark = watermark is null ? current : Math.Min(watermark.Value, current);
                    }
                }

                operators.Add(new OperatorInfo(node.Name, node.OperatorId, chain.Parallelism, recordsIn, recordsOut, watermark, late));
            }
        }

        CheckpointInfo? checkpoint = null;
        if (Checkpoints is { LastCompletedAt: { } at } coordinator)
        {
            checkpoint = new CheckpointInfo(coordinator.LastCompletedId, at, coordinator.LastDuration, coordinator.CompletedCount, coordinator.AbortedCount, coordinator.Directory);
        }

        var deadLetters = Setup.Metrics.DeadLettersByStage.Values.Sum();
        return new JobInfo(id, Setup.JobName, Status, StartedAt, Setup.Options.Parallelism, operators, checkpoint, deadLetters, _failure?.Message);
    }

    /// <summary>Runs every subtask on its own thread.</summary>
    public void Start()
    {
        StartedAt = Setup.Clock.GetUtcNow();
        _running = _subtasks.Count;
        _opening = _subtasks.Count;
        foreach (var subtask in _subtasks)
        {
            var thread = new Thread(() => Run(subtask))
            {
                IsBackground = true,
                Name = $"weir:{Setup.JobName}:{subtask.Name}",
            };
            thread.Start();
        }

        Setup.Checkpoints?.WriteInBackground(error => Fail("the checkpoint writer", error));
        Setup.Checkpoints?.StartPeriodic();
        _logger.LogInformation("job {Job} started: {Subtasks} subtasks in {Chains} chains", Setup.JobName, _subtasks.Count, Plan.Chains.Count);
    }

    /// <summary>Stepped execution (tests): runs every subtask until none can make progress.</summary>
    public void RunUntilIdle()
    {
        if (StartedAt == default)
        {
            StartedAt = Setup.Clock.GetUtcNow();
        }

        bool any;
        do
        {
            any = false;
            foreach (var subtask in _subtasks)
            {
                if (!subtask.IsOpen)
                {
                    subtask.Open();
                    any = true;
                }

                while (subtask.Step())
                {
                    any = true;
                }

                any |= subtask.FlushOutputs();
            }
        }
        while (any);
    }

    public void Cancel()
    {
        if (_cancel.IsCancellationRequested)
        {
            return;
        }

        _cancel.Cancel();
        foreach (var subtask in _subtasks)
        {
            subtask.Cancel();
        }
    }

    private void Run(Subtask subtask)
    {
        var signal = (ThreadSignal)subtask.Setup.Signal;
        try
        {
            subtask.Open();
            if (Interlocked.Decrement(ref _opening) == 0)
            {
                _opened.TrySetResult();
            }

            var wait = subtask.IsSource ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromSeconds(1);
            while (!_cancel.IsCancellationRequested)
            {
                if (subtask.Step() || subtask.FlushOutputs())
                {
                    continue;
                }

                if (subtask.IsFinished)
                {
                    break;
                }

                signal.WaitAndReset(wait);
            }
        }
        catch (JobCancelledException)
        {
        }
        catch (Exception error)
        {
            Fail(subtask.Name, error);
        }
        finally
        {
            try
            {
                subtask.Close();
            }
            catch (Exception error)
            {
                _logger.LogWarning(error, "job {Job}: closing {Subtask} failed", Setup.JobName, subtask.Name);
            }

            if (Interlocked.Decrement(ref _running) == 0)
            {
                Complete();
            }
        }
    }

    private void Fail(string where, Exception error)
    {
        lock (_subtasks)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = new JobFailedException($"job '{Setup.JobName}' failed in {where}: {error.Message}", error);
        }

        _logger.LogError(error, "job {Job} failed in {Subtask}", Setup.JobName, where);
        Cancel();
    }

    private void Complete()
    {
        Setup.Checkpoints?.Dispose();
        try
        {
            Setup.Options.DeadLetters?.Flush();
        }
        catch (Exception error)
        {
            _logger.LogWarning(error, "job {Job}: flushing dead letters failed", Setup.JobName);
        }

        _opened.TrySetResult();
        if (_failure is not null)
        {
            _completion.TrySetException(_failure);
        }
        else if (_cancel.IsCancellationRequested)
        {
            _logger.LogInformation("job {Job} cancelled", Setup.JobName);
            _completion.TrySetCanceled();
        }
        else
        {
            _logger.LogInformation("job {Job} finished", Setup.JobName);
            _completion.TrySetResult();
        }
    }

    private void Build()
    {
        var setups = new Dictionary<Chain, SubtaskSetup[]>();
        foreach (var chain in Plan.Chains)
        {
            var perIndex = new SubtaskSetup[chain.Parallelism];
            for (var i = 0; i < chain.Parallelism; i++)
            {
                ISignal signal = Setup.Stepped ? NoSignal.Instance : new ThreadSignal();
                var logger = Setup.LoggerFactory.CreateLogger("Weir.Streams.Job");
                perIndex[i] = new SubtaskSetup
                {
                    Job = Setup,
                    ChainName = chain.Name,
                    ChainIndex = chain.Index,
                    Index = i,
                    Parallelism = chain.Parallelism,
                    Signal = signal,
                    Timers = new ProcessingTimeService(Setup.Clock, signal),
                    Errors = new DeadLetterReporter(Setup.JobName, Setup.Options.DeadLetters, logger, Setup.Metrics),
                    Logger = logger,
                    Nodes = chain.Nodes,
                };
            }

            setups[chain] = perIndex;
        }

        // Channels of every edge that crosses subtasks: [sender, receiver].
        var channels = new Dictionary<StreamEdge, object?[,]>();
        foreach (var chain in Plan.Chains)
        {
            foreach (var node in chain.Nodes)
            {
                foreach (var edge in node.Outputs)
                {
                    if (Plan.IsChained(edge))
                    {
                        continue;
                    }

                    var senders = Plan.ParallelismOf(edge.Source);
                    var receivers = Plan.ParallelismOf(edge.Target);
                    var matrix = new object?[senders, receivers];
                    var receiverSetups = setups[Plan.ChainOf(edge.Target)];
                    for (var i = 0; i < senders; i++)
                    {
                        for (var j = 0; j < receivers; j++)
                        {
                            if (Plan.PartitioningOf(edge) != Partitioning.Forward || i == j)
                            {
                                matrix[i, j] = edge.CreateChannel(Setup.ChannelCapacity, Setup.Options.BatchSize, receiverSetups[j].Signal);
                            }
                        }
                    }

                    channels[edge] = matrix;
                }
            }
        }

        foreach (var chain in Plan.Chains)
        {
            for (var index = 0; index < chain.Parallelism; index++)
            {
                _subtasks.Add(BuildSubtask(chain, setups[chain][index], channels));
            }
        }
    }

    private Subtask BuildSubtask(Chain chain, SubtaskSetup setup, Dictionary<StreamEdge, object?[,]> channels)
    {
        var index = setup.Index;
        var operators = new Dictionary<StreamNode, StreamOperator>();
        object? sourceChain = null;
        for (var n = chain.Nodes.Count - 1; n >= 0; n--)
        {
            var node = chain.Nodes[n];
            var main = new List<object>();
            var sides = new Dictionary<string, (StreamEdge Edge, List<object> Outputs)>(StringComparer.Ordinal);
            foreach (var edge in node.Outputs)
            {
                object output;
                if (Plan.IsChained(edge))
                {
                    output = operators[edge.Target];
                }
                else
                {
                    var matrix = channels[edge];
                    var partitioning = Plan.PartitioningOf(edge);
                    var targets = new List<object>();
                    for (var j = 0; j < matrix.GetLength(1); j++)
                    {
                        if (matrix[index, j] is { } channel)
                        {
                            targets.Add(channel);
                        }
                    }

                    var writer = edge.CreateWriter(partitioning, targets, index, Setup, setup.Errors);
                    setup.Writers.Add(writer);
                    output = writer;
                }

                if (edge.SideOutputId is null)
                {
                    main.Add(output);
                }
                else if (sides.TryGetValue(edge.SideOutputId, out var group))
                {
                    group.Outputs.Add(output);
                }
                else
                {
                    sides[edge.SideOutputId] = (edge, [output]);
                }
            }

            var operatorOutput = node.CreateOutput(main, [.. sides.Values.Select(s => (s.Edge, (IReadOnlyList<object>)s.Outputs))]);
            if (node is IOperatorNode operatorNode)
            {
                var op = operatorNode.CreateOperator(operatorOutput);
                op.Setup(new OperatorContext
                {
                    JobName = Setup.JobName,
                    OperatorName = node.Name,
                    OperatorId = node.OperatorId,
                    SubtaskIndex = index,
                    Parallelism = setup.Parallelism,
                    MaxParallelism = Setup.MaxParallelism,
                    Clock = Setup.Clock,
                    ProcessingTime = setup.Timers,
                    WatermarkInterval = Setup.Options.WatermarkInterval,
                    Errors = setup.Errors,
                    Logger = setup.Logger,
                });
                operators[node] = op;
            }
            else
            {
                sourceChain = operatorOutput;
            }
        }

        foreach (var node in chain.Nodes)
        {
            if (operators.TryGetValue(node, out var op))
            {
                setup.Operators.Add(op);
            }
        }

        if (chain.Head is ISourceNode source)
        {
            return source.CreateSourceSubtask(setup, sourceChain!);
        }

        var inputs = new List<object>();
        foreach (var edge in chain.Head.Inputs)
        {
            var matrix = channels[edge];
            for (var i = 0; i < matrix.GetLength(0); i++)
            {
                if (matrix[i, index] is { } channel)
                {
                    inputs.Add(channel);
                }
            }
        }

        return ((IOperatorNode)chain.Head).CreateInputSubtask(setup, inputs, operators[chain.Head]);
    }

    public void Dispose()
    {
        Cancel();
        Setup.Checkpoints?.Dispose();
        _cancel.Dispose();
    }
}
