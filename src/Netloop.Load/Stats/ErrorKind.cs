namespace Netloop.Load.Stats;

/// <summary>The kinds of failure a run counts; the same kinds as <see cref="Results.ErrorCounts"/>.</summary>
internal enum ErrorKind
{
    /// <summary>connect(2) was refused.</summary>
    ConnectRefused,
    /// <summary>Any other connect failure.</summary>
    ConnectFailed,
    /// <summary>The server reset the connection.</summary>
    Reset,
    /// <summary>No response within the request timeout.</summary>
    Timeout,
    /// <summary>An HTTP status other than the expected one.</summary>
    BadStatus,
    /// <summary>The connection ended before a whole response arrived.</summary>
    ShortRead,
    /// <summary>A response that is not what was asked for.</summary>
    Corrupt,
    /// <summary>The TLS handshake failed (certificate not accepted, no protocol in common).</summary>
    TlsHandshake,
}
