namespace Netloop.Transport.Tls;

/// <summary>What one TLS listener's handshakes came to, over all loops (updated with <see cref="Interlocked"/>: a handshake costs far more).</summary>
internal sealed class TlsCounters
{
    public long Handshakes;
    public long Resumed;
    public long Tls12;
    public long Tls13;
    public long Failed;
    public long TimedOut;
    public long Plaintext;
    public long Reloads;
    public long ReloadFailures;

    /// <summary><c>handshakes=… resumed=… tls1.3=… tls1.2=… failed=… timeouts=… plaintext=…</c>, for the stop log.</summary>
    public string Summary() =>
        $"handshakes={Volatile.Read(ref Handshakes)} resumed={Volatile.Read(ref Resumed)} tls1.3={Volatile.Read(ref Tls13)} " +
        $"tls1.2={Volatile.Read(ref Tls12)} failed={Volatile.Read(ref Failed)} timeouts={Volatile.Read(ref TimedOut)} " +
        $"plaintext={Volatile.Read(ref Plaintext)} reloads={Volatile.Read(ref Reloads)} reload-failures={Volatile.Read(ref ReloadFailures)}";
}
