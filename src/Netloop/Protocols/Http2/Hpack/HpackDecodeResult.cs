namespace Netloop.Protocols.Http2.Hpack;

/// <summary>How a well-formed header block decoded (a malformed one throws <see cref="HpackDecodingException"/>).</summary>
internal enum HpackDecodeResult
{
    Ok,

    /// <summary>
    /// The decoded list passed the decoder's header list size cap (RFC 9113 §6.5.2, RFC 7541 §4.1 sizes); the fields
    /// after the cap were not passed on, but the whole block was decoded so the dynamic table stays in step.
    /// </summary>
    HeaderListTooLarge,
}
