namespace Netloop.Fuzz;

/// <summary>Ways a target cuts one fuzz input into the several values it needs, chosen so that AFL's mutations keep them apart.</summary>
internal static class FuzzInput
{
    /// <summary>The parts between NUL bytes (a NUL never appears in the text the parsers accept, so it stays a separator).</summary>
    public static List<byte[]> SplitOnNul(ReadOnlySpan<byte> input, int maxParts)
    {
        var parts = new List<byte[]>();
        while (parts.Count < maxParts - 1)
        {
            int nul = input.IndexOf((byte)0);
            if (nul < 0) break;
            parts.Add(input[..nul].ToArray());
            input = input[(nul + 1)..];
        }
        parts.Add(input.ToArray());
        return parts;
    }

    /// <summary>Length-prefixed pieces: one length byte, then that many bytes; a piece cut short by the end is kept as it is.</summary>
    public static List<byte[]> LengthPrefixed(ReadOnlySpan<byte> input)
    {
        var pieces = new List<byte[]>();
        while (!input.IsEmpty)
        {
            int length = Math.Min(input[0], input.Length - 1);
            pieces.Add(input.Slice(1, length).ToArray());
            input = input[(1 + length)..];
        }
        return pieces;
    }

    /// <summary>
    /// Piece sizes for feeding <paramref name="length"/> bytes in steps, taken from the last byte (rarely significant
    /// in the text itself) so each input also tests one split pattern: 1 to 16 bytes a step, or all at once for 0.
    /// </summary>
    public static int StepSize(ReadOnlySpan<byte> input) => input.IsEmpty ? 1 : (input[^1] % 17 is 0 ? int.MaxValue : input[^1] % 17);
}
