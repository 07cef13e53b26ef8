using System.Buffers;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>
/// What an HTTP/1.1 connection runs on while no request is in progress: a stateless stand-in, one per factory and
/// kind, shared by every idle connection. The first byte of the next request rents a live
/// <see cref="Http1Connection"/> from the loop's pool and hands the connection to it; when that request is done and
/// nothing is pending, the live one hands the connection back and returns to the pool. So an idle keep-alive connection
/// holds no protocol object at all (the transport's few hundred bytes remain), the way nginx frees a request's memory
/// between requests on a keep-alive connection.
/// </summary>
internal sealed class Http1IdleProtocol : IConnectionProtocol, IGracefulShutdown
{
    private readonly HttpProtocolFactory _factory;
    private readonly bool _afterFirstRequest;

    /// <param name="factory">The protocol the connection speaks.</param>
    /// <param name="afterFirstRequest">
    /// False for a connection that has not sent a byte yet: its first bytes may be an HTTP/2 client preface, which the
    /// live protocol looks for only then.
    /// </param>
    public Http1IdleProtocol(HttpProtocolFactory factory, bool afterFirstRequest)
    {
        _factory = factory;
        _afterFirstRequest = afterFirstRequest;
    }

    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        if (!_afterFirstRequest && _factory.ServesHttp2)
        {
            // A connection's first bytes decide its protocol: the HTTP/2 client preface (prior knowledge), or HTTP/1.1.
            var preface = Http2Preface.Match(data);
            // Bytes that may still become the preface go to the live protocol, whose request-headers timeout bounds
            // them (this stand-in keeps no timer); an HTTP/2-only server waits for the rest under the idle timeout.
            if (preface == PrefaceMatch.NeedMore && (data.IsEmpty || !_factory.ServesHttp1)) return 0;
            if (preface == PrefaceMatch.IsHttp2)
            {
                var http2 = new Http2.Http2Connection(_factory);
                connection.SwitchProtocol(http2);
                http2.Start(connection);
                return http2.OnReceived(connection, data);
            }
            if (preface == PrefaceMatch.NotHttp2 && !_factory.ServesHttp1)
            {
                RefuseHttp1(connection);
                return data.Length;
            }
        }
        var live = Http1ObjectPool.Current.RentConnection(_factory);
        live.Attach(connection, _afterFirstRequest);
        connection.SwitchProtocol(live);
        return live.OnReceived(connection, data);
    }

    /// <summary>An HTTP/2-only server and a connection that did not open with the client preface: 505 in HTTP/1.1 terms, then close.</summary>
    private static void RefuseHttp1(IConnection connection)
    {
        connection.Output.Write("HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 43\r\nConnection: close\r\n\r\nthis server speaks HTTP/2 only (h2c, h2)\r\n\r\n"u8);
        connection.Close();
    }

    // A stop: the next request to arrive rents a live connection, which sees the drain and answers with Connection: close.
    bool IGracefulShutdown.BeginShutdown(IConnection connection) => true;

    // Idle through the drain grace (the transport read what the kernel held just before): nothing is owed, close.
    void IGracefulShutdown.OnDrainGraceElapsed(IConnection connection) => connection.Close();

    // Between requests the peer's FIN needs no answer (RFC 9112 §9.6): close. A timer or a close finds nothing to do.
    public void OnInputCompleted(IConnection connection) => connection.Close();
}
