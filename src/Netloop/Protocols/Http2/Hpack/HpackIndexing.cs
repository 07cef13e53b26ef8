namespace Netloop.Protocols.Http2.Hpack;

/// <summary>Which literal representation the encoder uses when a field is not wholly in a table (RFC 7541 §6.2).</summary>
internal enum HpackIndexing
{
    /// <summary>§6.2.1: the field is added to the dynamic table (for fields that repeat: date, content-type, server).</summary>
    Incremental,

    /// <summary>§6.2.2: the field is sent literally and not added.</summary>
    WithoutIndexing,

    /// <summary>§6.2.3: like WithoutIndexing, and intermediaries must not index it either (secrets: cookies, credentials).</summary>
    NeverIndexed,
}
