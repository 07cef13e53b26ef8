using System.Buffers;
using System.Buffers.Text;
using Netloop.Http;
using Netloop.Protocols.Http2;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// The h2c upgrade (RFC 7540 §3.2, which RFC 9113 §3.1 deprecates for new clients but which curl --http2 and others
/// still send): an HTTP/1.1 request with <c>Upgrade: h2c</c>, one <c>HTTP2-Settings</c> field and both named in
/// Connection is answered with 101, and the request becomes stream 1 of an HTTP/2 connection. A request with a body is
/// served over HTTP/1.1 instead, as the RFC allows, so its body never has to be buffered across the switch.
/// </summary>
internal sealed partial class Http1Connection
{
    private const int MaxHttp2SettingsLength = 1024;

    /// <summary>Whether the request just parsed asks for h2c in a form the server accepts.</summary>
    private bool WantsHttp2Upgrade(RequestHead head)
    {
        if (!_factory.ServesHttp2 || !head.IsHttp11 || head.IsChunked || head.ContentLength > 0) return false;
        if (!head.TryGetHeader("upgrade"u8, out var upgrade) || !CommaList.Contains(upgrade, "h2c"u8)) return false;
        if (!head.TryGetHeader("connection"u8, out var connection)
            || !CommaList.Contains(connection, "upgrade"u8) || !CommaList.Contains(connection, "http2-settings"u8)) return false;
        int first = head.IndexOfHeader("http2-settings"u8, 0);
        // §3.2.1: exactly one HTTP2-Settings field.
        return first >= 0 && head.IndexOfHeader("http2-settings"u8, first + 1) < 0 && head.HeaderValue(first).Length <= MaxHttp2SettingsLength;
    }

    /// <summary>
    /// Switches to HTTP/2: 101, the server preface, stream 1 served from the parsed request, and the bytes after the
    /// head (the client preface) handed to the new protocol. Returns how many of <paramref name="rest"/> it consumed;
    /// -1 when the HTTP2-Settings value did not decode (then the request is served over HTTP/1.1).
    /// </summary>
    private int UpgradeToHttp2(IConnection connection, ReadOnlySpan<byte> rest)
    {
        var head = _context!.Head;
        var encoded = HttpCharacters.TrimWhitespace(head.HeaderValue(head.IndexOfHeader("http2-settings"u8, 0)));
        Span<byte> settings = stackalloc byte[MaxHttp2SettingsLength];
        if (Base64Url.DecodeFromUtf8(encoded, settings, out int read, out int written) != OperationStatus.Done
            || read != encoded.Length || written % 6 != 0) return -1;
        WriteBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"u8);
        var http2 = new Http2Connection(_factory);
        connection.SwitchProtocol(http2);
        // The request and its context now belong to stream 1; this object's part is over.
        var context = _context;
        _context = null;
        _state = RequestState.Closed;
        _handlerRunning = false;
        DisarmTimer();
        if (!http2.StartUpgraded(connection, settings[..written], context)) return rest.Length;
        return http2.OnReceived(connection, rest);
    }

    /// <summary>
    /// The HTTP/2 client preface (prior knowledge) completed here, after its first bytes were handed over while they
    /// could still have been an HTTP/1.1 request: HTTP/2 takes the connection and this object's part is over.
    /// </summary>
    private int SwitchToHttp2(IConnection connection, ReadOnlySpan<byte> data)
    {
        DisarmTimer();
        ReturnParser();
        _state = RequestState.Closed;
        var http2 = new Http2Connection(_factory);
        connection.SwitchProtocol(http2);
        http2.Start(connection);
        return http2.OnReceived(connection, data);
    }
}
