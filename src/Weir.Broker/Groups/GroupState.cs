namespace Weir.Broker.Groups;

/// <summary>Classic group states (apache/kafka GroupCoordinator.scala); the names are what DescribeGroups reports.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}
