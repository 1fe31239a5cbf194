namespace Weir.Interop.Tests;

/// <summary>Waits on a condition with a deadline (never a fixed sleep), failing with what it last saw.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met within {timeout.TotalSeconds:0} s: {describe()}");
            }

            await Task.Delay(50);
        }
    }
}
