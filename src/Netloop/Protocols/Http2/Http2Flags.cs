namespace Netloop.Protocols.Http2;

/// <summary>Frame flags (RFC 9113 §6): each is meaningful only on the frame types that define it.</summary>
internal static class Http2Flags
{
    public const byte None = 0x0;
    /// <summary>DATA, HEADERS: the sender's last frame on the stream.</summary>
    public const byte EndStream = 0x1;
    /// <summary>SETTINGS, PING: an acknowledgement (same bit as END_STREAM).</summary>
    public const byte Ack = 0x1;
    /// <summary>HEADERS, CONTINUATION: the header block is complete.</summary>
    public const byte EndHeaders = 0x4;
    /// <summary>DATA, HEADERS: a pad length byte leads the payload.</summary>
    public const byte Padded = 0x8;
    /// <summary>HEADERS: stream dependency and weight precede the fragment (parsed and ignored, §5.3.2).</summary>
    public const byte Priority = 0x20;
}
