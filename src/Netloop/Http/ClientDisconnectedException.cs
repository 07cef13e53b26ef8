namespace Netloop.Http;

/// <summary>
/// Thrown by request-body reads when the client went away before the body ended (it closed or reset the connection).
/// It is the client's doing, not the handler's: a handler that lets it escape gets its request logged as one Debug
/// line, not as a server error. Catch it (or <see cref="IOException"/>) to react to an incomplete upload.
/// </summary>
public sealed class ClientDisconnectedException : IOException
{
    /// <summary>Creates the exception with a message that says what was cut short.</summary>
    public ClientDisconnectedException(string message)
        : base(message)
    {
    }
}
