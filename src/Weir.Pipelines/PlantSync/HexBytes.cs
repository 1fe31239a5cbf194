namespace Weir.Pipelines.PlantSync;

/// <summary>Hex text (either case) to bytes, straight from UTF-8 without an intermediate string.</summary>
internal static class HexBytes
{
    public static bool TryDecode(ReadOnlySpan<byte> utf8Hex, out byte[] bytes)
    {
        if ((utf8Hex.Length & 1) != 0)
        {
            bytes = [];
            return false;
        }

        bytes = new byte[utf8Hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            var high = Nibble(utf8Hex[2 * i]);
            var low = Nibble(utf8Hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                bytes = [];
                return false;
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
