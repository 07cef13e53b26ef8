namespace Netloop.Protocols.Http2.Hpack;

/// <summary>Receives the fields of a decoded header block, in order.</summary>
internal interface IHpackHeaderSink
{
    /// <summary>
    /// One field. The name is as sent (HTTP/2 requires lowercase; validating it is the caller's job). Both spans are
    /// valid only during the call: they point into the block, the decoder's scratch buffers or its dynamic table.
    /// </summary>
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
