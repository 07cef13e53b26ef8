namespace Netloop.Load.Echo;

/// <summary>The bytes an echo run sends: a fixed pseudo-random pattern, so a flipped, lost or reordered byte shows.</summary>
internal static class EchoPayload
{
    /// <summary>Creates <paramref name="length"/> bytes of the pattern (the same for every run, so a failure is reproducible).</summary>
    public static byte[] Create(int length)
    {
        var bytes = new byte[length];
        // xorshift32: cheap, and no run of equal bytes that a stuck-at fault could hide in.
        uint state = 0x9E3779B9;
        for (int i = 0; i < bytes.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            bytes[i] = (byte)state;
        }
        return bytes;
    }
}
