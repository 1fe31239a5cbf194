namespace Weir.Streams.Graph;

/// <summary>A chain: nodes that run together in one subtask, head first.</summary>
internal sealed class Chain(int index, IReadOnlyList<StreamNode> nodes, int parallelism)
{
    public int Index { get; } = index;

    public IReadOnlyList<StreamNode> Nodes { get; } = nodes;

    public StreamNode Head => Nodes[0];

    public int Parallelism { get; } = parallelism;

    public string Name => string.Join(" -> ", Nodes.Select(n => n.Name));
}

/// <summary>
/// The physical plan of a job: each node's parallelism, each edge's effective partitioning, and the chains.
/// Forward edges between nodes of different parallelism become rebalancing; a KeyBy between two single-subtask
/// nodes becomes forward (nothing to route). A node joins its input's chain when it has one input, the edge is
/// forward, the parallelism is equal and chaining is not disabled.
/// </summary>
internal sealed class JobPlan
{
    private readonly Dictionary<StreamNode, int> _parallelism = [];
    private readonly Dictionary<StreamEdge, Partitioning> _partitioning = [];
    private readonly Dictionary<StreamNode, Chain> _chainOf = [];

    public JobPlan(IReadOnlyList<StreamNode> nodes, JobOptions options)
    {
        if (nodes.Count == 0)
        {
            throw new InvalidOperationException($"job '{options.Name}' has no operators: add a source and a sink");
        }

        foreach (var node in nodes)
        {
            var parallelism = node.Parallelism ?? options.Parallelism;
            if (node.MaxParallelism is { } max && parallelism > max)
            {
                parallelism = node.Parallelism is null ? max : throw new InvalidOperationException($"{node} supports at most {max} subtasks, {parallelism} requested");
            }

            if (parallelism > options.MaxParallelism)
            {
                throw new InvalidOperationException($"{node}: parallelism {parallelism} is above MaxParallelism {options.MaxParallelism}");
            }

            _parallelism[node] = parallelism;
        }

        foreach (var node in nodes)
        {
            if (node is IOperatorNode && node.Inputs.Count == 0)
            {
                throw new InvalidOperationException($"{node} has no input");
            }

            foreach (var edge in node.Outputs)
            {
                var same = _parallelism[edge.Source] == _parallelism[edge.Target];
                _partitioning[edge] = edge.Partitioning switch
                {
                    Partitioning.Forward when !same => Partitioning.Rebalance,
                    Partitioning.Hash when same && _parallelism[edge.Source] == 1 => Partitioning.Forward,
                    var p => p,
                };
            }
        }

        var chains = new List<Chain>();
        foreach (var node in nodes)
        {
            if (_chainOf.ContainsKey(node))
            {
                continue;
            }

            var members = new List<StreamNode> { node };
            for (var i = 0; i < members.Count; i++)
            {
                foreach (var edge in members[i].Outputs)
                {
                    if (IsChained(edge) && !members.Contains(edge.Target))
                    {
                        members.Add(edge.Target);
                    }
                }
            }

            members.Sort((a, b) => a.Id.CompareTo(b.Id));
            var chain = new Chain(chains.Count, members, _parallelism[node]);
            chains.Add(chain);
            foreach (var member in members)
            {
                _chainOf[member] = chain;
            }
        }

        Chains = chains;
    }

    public IReadOnlyList<Chain> Chains { get; }

    public int ParallelismOf(StreamNode node) => _parallelism[node];

    public Partitioning PartitioningOf(StreamEdge edge) => _partitioning[edge];

    public Chain ChainOf(StreamNode node) => _chainOf[node];

    public bool IsChained(StreamEdge edge) =>
        _partitioning[edge] == Partitioning.Forward
        && edge.Target.Inputs.Count == 1
        && !edge.Target.ChainingDisabled
        && _parallelism[edge.Source] == _parallelism[edge.Target];
}
