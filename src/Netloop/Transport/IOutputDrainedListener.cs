namespace Netloop.Transport;

/// <summary>
/// A protocol that produces output in pieces as the peer takes it (HTTP/2 reading a file into DATA frames under flow
/// control) implements this to hear when the connection's output has all been sent, so it can write the next piece
/// without holding more than a high-water mark in memory.
/// </summary>
internal interface IOutputDrainedListener
{
    /// <summary>Every byte written so far has been accepted by the kernel; called on the connection's thread, outside protocol calls.</summary>
    void OnOutputDrained(IConnection connection);
}
