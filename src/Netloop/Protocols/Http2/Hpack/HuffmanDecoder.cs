namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// Decodes Huffman-coded string literals (RFC 7541 §5.2) four bits at a time through a transition table built once from
/// <see cref="HuffmanCode"/>: a state is a node of the code tree (256 internal nodes for 257 symbols); each (state,
/// nibble) says the next state, the symbol completed on the way if any (codes are at least 5 bits long, so at most
/// one), whether EOS was met, and whether the next state may end the string (the bits since the last symbol are all
/// ones and fewer than 8: valid padding).
/// </summary>
internal static class HuffmanDecoder
{
    private const uint EmitFlag = 1u << 16;
    private const uint FailFlag = 1u << 17;
    private const uint AcceptFlag = 1u << 18;

    // [state * 16 + nibble] = next state (bits 0-7) | symbol (bits 8-15) | flags.
    private static readonly uint[] s_transitions = BuildTransitions();

    /// <summary>
    /// Decodes <paramref name="source"/> and returns the decoded length. Writes the first
    /// <c>destination.Length</c> bytes only: a result above <c>destination.Length</c> means the string did not fit (it
    /// was still checked to the end). Throws <see cref="HpackDecodingException"/> for EOS inside the string, padding
    /// longer than 7 bits, or padding that is not all ones (§5.2 makes each a decoding error).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var table = s_transitions;
        int state = 0;
        uint accept = AcceptFlag; // the empty string is valid
        int n = 0;
        foreach (byte b in source)
        {
            uint high = table[(state << 4) | (b >> 4)];
            if ((high & (EmitFlag | FailFlag)) != 0)
            {
                if ((high & FailFlag) != 0) throw new HpackDecodingException("a Huffman-coded string contains EOS");
                if ((uint)n < (uint)destination.Length) destination[n] = (byte)(high >> 8);
                n++;
            }
            uint low = table[((int)(high & 0xFF) << 4) | (b & 0xF)];
            if ((low & (EmitFlag | FailFlag)) != 0)
            {
                if ((low & FailFlag) != 0) throw new HpackDecodingException("a Huffman-coded string contains EOS");
                if ((uint)n < (uint)destination.Length) destination[n] = (byte)(low >> 8);
                n++;
            }
            state = (int)(low & 0xFF);
            accept = low & AcceptFlag;
        }
        if (accept == 0) throw new HpackDecodingException("a Huffman-coded string has invalid padding");
        return n;
    }

    private static uint[] BuildTransitions()
    {
        // The code tree: internal node k has children at [2k] (bit 0) and [2k+1] (bit 1); a child >= 0 is an internal
        // node, ~symbol a leaf. Node 0 is the root.
        var children = new int[256 * 2];
        var allOnesDepth = new int[256]; // depth of a node on the all-ones path from the root, else -1
        allOnesDepth.AsSpan().Fill(-1);
        allOnesDepth[0] = 0;
        int nodes = 1;
        var codes = HuffmanCode.Codes;
        var lengths = HuffmanCode.Lengths;
        for (int symbol = 0; symbol <= HuffmanCode.EndOfString; symbol++)
        {
            int node = 0;
            for (int bit = lengths[symbol] - 1; bit >= 0; bit--)
            {
                int slot = node * 2 + (int)((codes[symbol] >> bit) & 1);
                if (bit == 0)
                {
                    children[slot] = ~symbol;
                    break;
                }
                if (children[slot] == 0)
                {
                    children[slot] = nodes;
                    if ((slot & 1) == 1 && allOnesDepth[node] >= 0) allOnesDepth[nodes] = allOnesDepth[node] + 1;
                    nodes++;
                }
                node = children[slot];
            }
        }

        var table = new uint[256 * 16];
        for (int state = 0; state < 256; state++)
        {
            for (int nibble = 0; nibble < 16; nibble++)
            {
                int node = state;
                uint entry = 0;
                for (int bit = 3; bit >= 0; bit--)
                {
                    int child = children[node * 2 + ((nibble >> bit) & 1)];
                    if (child >= 0)
                    {
                        node = child;
                        continue;
                    }
                    int symbol = ~child;
                    if (symbol == HuffmanCode.EndOfString)
                    {
                        entry = FailFlag;
                        break;
                    }
                    entry = EmitFlag | (uint)symbol << 8;
                    node = 0;
                }
                if ((entry & FailFlag) == 0)
                {
                    entry |= (uint)node;
                    if (allOnesDepth[node] is >= 0 and < 8) entry |= AcceptFlag;
                }
                table[state * 16 + nibble] = entry;
            }
        }
        return table;
    }
}
