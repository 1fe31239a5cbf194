namespace Weir.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="probe"/> until it returns true or <paramref name="timeout"/> passes; then fails with
    /// <paramref name="describe"/>'s account of what was last seen.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> probe, TimeSpan timeout, Func<string> describe, TimeSpan? pollInterval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe().ConfigureAwait(false))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not met within {timeout}: {describe()}");
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    public static Task HoldsAsync(Func<bool> probe, TimeSpan timeout, Func<string> describe, TimeSpan? pollInterval = null) =>
        HoldsAsync(() => Task.FromResult(probe()), timeout, describe, pollInterval);
}
