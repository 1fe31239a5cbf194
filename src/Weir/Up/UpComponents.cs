using Weir.Cli.Hosting;

namespace Weir.Cli.Up;

/// <summary>Everything `weir up` starts, in start order. Each issue adds its components here.</summary>
internal static class UpComponents
{
    public static IReadOnlyList<UpComponent> Create(WeirContext context)
    {
        _ = context;
        return [];
    }
}
