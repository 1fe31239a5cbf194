using Microsoft.AspNetCore.Builder;

namespace Weir.Services.Http;

/// <summary>
/// A set of routes that a part of Weir adds to the Weir HTTP host (jobs API, live feeds, pipeline pages).
/// The composition root decides which modules a process serves.
/// </summary>
internal interface IEndpointModule
{
    /// <summary>One line for the dashboard's index, e.g. "/api/jobs: running jobs".</summary>
    IEnumerable<(string Path, string Description)> Links { get; }

    void Map(WebApplication app);
}
