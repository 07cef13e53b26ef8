namespace Netloop.Transport;

/// <summary>
/// What an accepting loop's transport needs of the server's settings, as values, so the transport does not depend on
/// the server layer above it.
/// </summary>
/// <param name="OutputHighWaterMark">Unsent bytes above which a connection stops reading (backpressure).</param>
/// <param name="IdleTimeout">A connection that moves no byte for this long is closed; zero disables it.</param>
/// <param name="NoDelay">Sets TCP_NODELAY on accepted connections.</param>
/// <param name="SendTimeout">A connection whose pending output the peer accepts none of for this long is closed; zero disables it.</param>
internal readonly record struct ConnectionSettings(int OutputHighWaterMark, TimeSpan IdleTimeout, bool NoDelay, TimeSpan SendTimeout = default);
