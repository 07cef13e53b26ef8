namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// A header block the peer's encoder could not have produced from a valid table state (RFC 7541 §2-§6: truncated or
/// overflowing integer, bad Huffman code, EOS or bad padding, index out of range, table size update above the limit or
/// after the first field). The dynamic table is then out of step for good: the caller answers with a connection error
/// COMPRESSION_ERROR (RFC 9113 §4.3).
/// </summary>
internal sealed class HpackDecodingException : Exception
{
    public HpackDecodingException(string message) : base(message) { }
}
