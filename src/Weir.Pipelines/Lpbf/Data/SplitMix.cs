namespace Weir.Pipelines.Lpbf.Data;

/// <summary>
/// A small deterministic random stream (SplitMix64). The generator uses integer arithmetic only, so the same seed
/// gives the same tiles on every machine and runtime.
/// </summary>
internal struct SplitMix(ulong seed)
{
    private ulong _state = seed;

    public static ulong Hash(params ReadOnlySpan<long> parts)
    {
        ulong h = 0x9E3779B97F4A7C15;
        foreach (var part in parts)
        {
            h = Mix(h ^ (ulong)part);
        }

        return h;
    }

    public ulong Next() => Mix(_state += 0x9E3779B97F4A7C15);

    /// <summary>Uniform in [0, bound).</summary>
    public int Below(int bound) => (int)((Next() >> 33) * (ulong)bound >> 31);

    /// <summary>Uniform in [low, high].</summary>
    public int Between(int low, int high) => low + Below(high - low + 1);

    /// <summary>True with probability permille / 1000.</summary>
    public bool Chance(int permille) => Below(1000) < permille;

    /// <summary>
    /// A roughly normal integer with mean 0 and standard deviation <paramref name="sigma"/> (sum of four uniform
    /// bytes, whose standard deviation is about 147.8).
    /// </summary>
    public int Noise(int sigma)
    {
        var r = Next();
        var sum = (int)(r & 0xFF) + (int)((r >> 8) & 0xFF) + (int)((r >> 16) & 0xFF) + (int)((r >> 24) & 0xFF) - 510;
        return sum * sigma / 148;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
