using Netloop.Http;
using Netloop.Protocols;
using Netloop.Protocols.Http1;
using Netloop.Transport;

namespace Netloop.Cli.Faults;

/// <summary>
/// <c>--fault leak</c> (test only): every request the server handles retains <see cref="BytesPerRequest"/> bytes in a
/// static list that is never cleared, so a test can prove <c>netloop load --monitor-pid</c> reports memory as growing.
/// </summary>
/// <remarks>
/// For <c>http</c> the application handler is wrapped, so it is exactly one retention per request, pipelined or not.
/// Any other protocol (echo) has no notion of a request: there it is one retention per <see cref="IConnectionProtocol.OnReceived"/>
/// call, which is one per message for a client that waits for each echo before sending the next.
/// </remarks>
internal static class MemoryLeak
{
    /// <summary>Bytes retained per request.</summary>
    public const int BytesPerRequest = 1024;

    private static readonly List<byte[]> s_retained = [];

    /// <summary>Requests retained so far in this process (for tests).</summary>
    public static long RetainedCount
    {
        get
        {
            lock (s_retained) return s_retained.Count;
        }
    }

    /// <summary>The fault's <see cref="ServerFault.Apply"/>: wraps the HTTP application, or the protocol's receive calls.</summary>
    public static IConnectionProtocolFactory Wrap(IConnectionProtocolFactory protocol)
    {
        if (protocol is HttpProtocolFactory http)
        {
            var application = http.Application;
            return new HttpProtocolFactory(context =>
            {
                Retain();
                return application(context);
            }, http.Limits, http.Json, http.Logger);
        }
        return new LeakingProtocolFactory(protocol);
    }

    /// <summary>Allocates <see cref="BytesPerRequest"/> bytes, writes every one (so the pages are resident, not just reserved) and keeps them forever.</summary>
    public static void Retain()
    {
        var block = new byte[BytesPerRequest];
        block.AsSpan().Fill(0xA5);
        lock (s_retained) s_retained.Add(block);
    }

    private sealed class LeakingProtocolFactory(IConnectionProtocolFactory inner) : IConnectionProtocolFactory
    {
        public string Name => inner.Name;

        public IConnectionProtocol Create() => new LeakingProtocol(inner.Create());
    }

    private sealed class LeakingProtocol(IConnectionProtocol inner) : IConnectionProtocol
    {
        public void OnConnected(IConnection connection) => inner.OnConnected(connection);

        public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
        {
            Retain();
            return inner.OnReceived(connection, data);
        }

        public void OnInputCompleted(IConnection connection) => inner.OnInputCompleted(connection);

        public void OnTimer(IConnection connection) => inner.OnTimer(connection);

        public void OnClosed(IConnection connection, CloseReason reason) => inner.OnClosed(connection, reason);
    }
}
