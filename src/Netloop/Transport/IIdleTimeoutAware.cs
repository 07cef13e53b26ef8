namespace Netloop.Transport;

/// <summary>
/// A protocol that says goodbye before the transport closes an idle connection (HTTP/2 sends GOAWAY(NO_ERROR), so
/// the client knows no request of its was lost, RFC 9113 §6.8).
/// </summary>
internal interface IIdleTimeoutAware
{
    /// <summary>The idle timeout passed: write the farewell to the output; the transport sends what the kernel takes at once, then closes.</summary>
    void OnIdleTimeout(IConnection connection);
}
