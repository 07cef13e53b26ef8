using Netloop.Protocols;
using Netloop.Protocols.Echo;
using Netloop.Transport;

namespace Netloop.Cli.Faults;

/// <summary>
/// <c>--fault corrupt-echo</c> (test only): echo, except that exactly one byte is flipped (XOR 0xFF): the one at
/// <see cref="CorruptedOffset"/> of everything this instance echoes, counted across all connections. The serve command
/// makes one instance per process, so a load test sees exactly one corrupted byte however it spreads its connections.
/// </summary>
internal sealed class CorruptEchoProtocol : IConnectionProtocol, IConnectionProtocolFactory
{
    /// <summary>The offset, in all bytes echoed, of the byte that is flipped.</summary>
    public const long CorruptedOffset = 100_000;

    // Bytes echoed so far by every connection; each call claims its range with one Interlocked.Add, so ranges never
    // overlap and exactly one call, on whichever loop thread, owns the corrupted offset.
    private long _echoed;

    /// <inheritdoc/>
    public string Name => "echo";

    /// <summary>Bytes echoed so far, all connections together.</summary>
    public long EchoedBytes => Interlocked.Read(ref _echoed);

    /// <summary>The fault's <see cref="ServerFault.Apply"/>: replaces the echo protocol; any other protocol is a usage error.</summary>
    public static IConnectionProtocolFactory Replace(IConnectionProtocolFactory protocol) =>
        protocol is EchoProtocol
            ? new CorruptEchoProtocol()
            : throw new ArgumentException($"--fault corrupt-echo needs --protocol echo, not {protocol.Name}");

    /// <inheritdoc/>
    public IConnectionProtocol Create() => this;

    /// <inheritdoc/>
    public int OnReceived(IConnection connection, ReadOnlySpan<byte> data)
    {
        long end = Interlocked.Add(ref _echoed, data.Length);
        long corrupt = CorruptedOffset - (end - data.Length); // index of the corrupted byte in data, if it is there
        var output = connection.Output;
        int total = data.Length;
        int copied = 0;
        while (copied < total)
        {
            var span = output.GetSpan(1);
            int n = Math.Min(span.Length, total - copied);
            data.Slice(copied, n).CopyTo(span);
            if (corrupt >= copied && corrupt < copied + n) span[(int)(corrupt - copied)] ^= 0xFF;
            output.Advance(n);
            copied += n;
        }
        return total;
    }
}
