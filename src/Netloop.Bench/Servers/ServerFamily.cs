namespace Netloop.Bench.Servers;

/// <summary>Which program a server under test is.</summary>
internal enum ServerFamily
{
    /// <summary><c>netloop serve</c> in one of its modes.</summary>
    Netloop,

    /// <summary>The minimal ASP.NET Core app in <c>bench/peers/kestrel</c>.</summary>
    Kestrel,

    /// <summary>nginx, when installed, with a configuration generated per run.</summary>
    Nginx,

    /// <summary>
    /// The repository's minimal C epoll servers in <c>bench/limit</c> (limit-http, limit-echo), built with gcc for
    /// each run: the limit a server on this machine can approach, not a peer (they parse nothing).
    /// </summary>
    Reference,
}
