namespace Netloop.Transport;

/// <summary>
/// A protocol that says goodbye before the transport closes an idle connection (HTTP/2 sends GOAWAY(NO_ERROR), so
/// the client knows no request of its was lost, RFC 9113 §6.8).
/// </summary>
internal interface IIdleTimeoutAware
{
    /// <summary>
    /// True while the connection is busy though no bytes move (HTTP/2 streams whose handlers are at work): the idle clock
    /// restarts, as it does for an HTTP/1.1 connection that suspended its input for a handler.
    /// </summary>
    bool IsBusy { get; }

    /// <summary>The idle timeout passed: write the farewell to the output; the transport sends what the kernel takes at once, then closes.</summary>
    void OnIdleTimeout(IConnection connection);
}
