using System.Security.Cryptography;

namespace Weir.Services.Challenger;

/// <summary>
/// Benchmark ids in the two formats the challenge servers use: 26-character ULIDs (the Local Challenger) and
/// 24-hex-digit MongoDB ObjectIds (the online platform).
/// </summary>
internal static class BenchIds
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static int _counter = RandomNumberGenerator.GetInt32(1 << 24);

    /// <summary>48 bits of Unix milliseconds then 80 random bits, in Crockford base 32.</summary>
    public static string NewUlid(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var millis = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(millis >> (8 * (5 - i)));
        }

        RandomNumberGenerator.Fill(bytes[6..]);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        Span<char> text = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            text[i] = Crockford[(int)(value & 31)];
            value >>= 5;
        }

        return new string(text);
    }

    /// <summary>4 bytes of Unix seconds, 5 random bytes, a 3-byte counter, as lowercase hex.</summary>
    public static string NewObjectId(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)now.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(bytes.Slice(4, 5));
        var counter = Interlocked.Increment(ref _counter);
        bytes[9] = (byte)(counter >> 16);
        bytes[10] = (byte)(counter >> 8);
        bytes[11] = (byte)counter;
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Ids are used in file names: only letters and digits are ever accepted.</summary>
    public static bool IsWellFormed(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit);
}
